import type { CommandDefinition } from '../src/define.js'
import approve from './approve.js'
import audit from './audit.js'
import budget from './budget.js'
import deny from './deny.js'
import diag from './diag.js'
import disableSkill from './disable-skill.js'
import enableSkill from './enable-skill.js'
import help from './help.js'
import incident from './incident.js'
import pending from './pending.js'
import review from './review.js'
import rollback from './rollback.js'
import runbook from './runbook.js'
import skills from './skills.js'
import status from './status.js'
import whoami from './whoami.js'

/** Every admin command, in the order /help lists them. Add a command by importing it here; the file name equals the command name. */
export const commands = [
  help,
  whoami,
  status,
  skills,
  disableSkill,
  enableSkill,
  budget,
  approve,
  deny,
  pending,
  audit,
  review,
  incident,
  diag,
  rollback,
  runbook,
] as CommandDefinition<unknown>[]
