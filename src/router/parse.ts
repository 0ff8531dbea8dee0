import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'
import type { Texts } from '../i18n/catalogue.js'
import { parseCommandLine } from './command-parser.js'

/**
 * Turns the text into either a `/command` (not yet trusted) or skill text; refuses what cannot be read.
 * Text, voice (its speech-to-text) and richText read alike; files alone have no text to route, so they get
 * the "can't use files" answer here, and files with text go on to the skill, which decides (run-skill).
 */
export function parse(limits: { maxMessageChars: number }): Middleware<Context> {
  // Not async: a step that only checks and hands on needs no promise and frame of its own (see compose.ts).
  return function parse(ctx, next) {
    const { msg } = ctx
    const texts = ctx.texts.inbound
    if (!msg.supported) return answer(ctx, 'unsupported', unsupportedReply(texts, msg.msgtype))
    if (msg.text === '' && msg.attachments.length > 0)
      return answer(ctx, 'unsupported', texts.cannotUseFiles(msg.attachments))
    if (msg.text.length > limits.maxMessageChars)
      return answer(ctx, 'too-long', texts.tooLong(msg.text.length, limits.maxMessageChars))
    if (msg.text.startsWith('/')) ctx.commandParse = parseCommandLine(msg.text)
    return next()
  }
}

function answer(ctx: Context, outcome: Context['outcome'], text: string): Promise<void> {
  ctx.outcome = outcome
  return ctx.reply(text)
}

/** Why a message cannot be read, in the words that fit its type: a voice message without words, a type DingTalk hides, or another. */
function unsupportedReply(texts: Texts['inbound'], msgtype: string): string {
  if (msgtype === 'audio') return texts.voiceWithoutWords
  if (msgtype === 'unknownMsgType') return texts.unknownMsgType
  return texts.unsupportedType(msgtype)
}
