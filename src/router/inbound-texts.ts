import type { Attachment } from '../dingtalk/message.js'

// The replies about what a message carries (its type, its files, its shape), kept in one place.

/** The answer to a callback that failed validation: the user must never be left in silence. */
export const UNREADABLE_MESSAGE = 'I could not read that message. Please send your request again as plain text.'

/**
 * The answer to a message type the router cannot read.
 * @example unsupportedType('markdown') // 'I cannot read "markdown" messages. …'
 */
export function unsupportedType(msgtype: string): string {
  if (msgtype === 'audio') return 'I could not make out any words in that voice message. Please type your request.'
  if (msgtype === 'unknownMsgType')
    return 'I cannot read that kind of message (DingTalk does not pass it on to robots). Please type your request.'
  return `I cannot read "${msgtype.slice(0, 32)}" messages. Please type your request, or send it as a voice message.`
}

/**
 * The answer to files sent where they cannot be used: alone (no text to route), or to a skill that does not take them.
 * @example cannotUseFiles([{ type: 'picture', downloadCode: 'x' }], 'ask') // 'I can\'t use files here: "ask" reads text only …'
 */
export function cannotUseFiles(files: readonly Attachment[], skill?: string): string {
  const what = [...new Set(files.map((f) => f.type))].map((t) => `a ${t}`).join(' and ')
  const where = skill ? `: "${skill.slice(0, 40)}" reads text only` : ''
  return `I can't use files here${where} (you sent ${what}). Please send your request as text.`
}
