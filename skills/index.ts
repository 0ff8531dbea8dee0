import type { RouterConfig } from '../src/config.js'
import type { SkillDefinition } from '../src/define.js'
import help from './help.js'
import ping from './ping.js'
import { serviceStatusSkill } from './service-status.js'
import { askSkill } from './ask.js'
import { openclawSkills } from './openclaw.js'

/**
 * Every end-user skill, in match order, built for this configuration: most skills are plain definitions,
 * a few (service-status) are factories given only their own slice of the config. Add a skill here.
 * @example const app = createRouterApp(config, { logger, skills: createSkills(config), commands })
 */
export function createSkills(
  config?: Pick<RouterConfig, 'services'> & Partial<Pick<RouterConfig, 'model' | 'openclaw' | 'operators'>>,
): SkillDefinition<unknown>[] {
  return [
    help,
    ping,
    serviceStatusSkill(config?.services.statusApi),
    askSkill({ model: config?.model, statusApi: config?.services.statusApi }),
    ...(config?.openclaw
      ? openclawSkills(
          config.openclaw,
          (config.operators ?? []).map((o) => o.staffId),
        )
      : []),
  ] as SkillDefinition<unknown>[]
}

/** The same list without configuration (service-status then answers that it is not configured). Prefer createSkills(config). */
export const skills = createSkills()
