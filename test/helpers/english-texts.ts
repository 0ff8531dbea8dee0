import { textsFor } from '../../src/i18n/catalogue.js'

// The English replies tests compare with, read from the catalogue (the router's default locale).

const EN = textsFor('en')
export const COMMAND_REFUSAL = EN.router.commandRefused
export const NO_MATCH_REPLY = EN.router.noMatch
export const STALE_REPLY = EN.router.stale
export const NO_MODEL = EN.ask.noModel
export const MODEL_DOWN = EN.ask.modelDown
export const agentUnavailable = EN.openclaw.unavailable
