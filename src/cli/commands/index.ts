import type { CliCommand } from '../command.js'
import { auditExportCommand } from './audit.js'
import { auditVerifyCommand } from './audit-verify.js'
import { skillToggle } from './skill-toggle.js'
import { skillsCommand } from './skills.js'
import { statusCommand } from './status.js'
import { deployRecordCommand } from './deploy-record.js'
import { rollbackConfigCommand, rollbackReleaseCommand } from './rollback.js'
import { accessReviewCommand } from './access-review.js'
import { incidentCommand } from './incident.js'
import { budgetSetCommand, budgetShowCommand } from './budget.js'

/** Every routerctl command, in usage order. Add one by importing it here (incident, budget, rollback, …). */
export const cliCommands: CliCommand[] = [
  statusCommand,
  skillsCommand,
  skillToggle(false),
  skillToggle(true),
  incidentCommand(true),
  incidentCommand(false),
  budgetShowCommand,
  budgetSetCommand,
  auditExportCommand,
  auditVerifyCommand,
  rollbackConfigCommand,
  rollbackReleaseCommand,
  deployRecordCommand,
  accessReviewCommand,
]
