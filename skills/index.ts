import type { SkillDefinition } from '../src/define.js'
import help from './help.js'
import ping from './ping.js'

/** Every end-user skill, in match order. Add a skill by importing it here. */
export const skills = [help, ping] as SkillDefinition<unknown>[]
