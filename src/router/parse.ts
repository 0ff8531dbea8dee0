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
  return async function parse(ctx, next) {
    const { msg } = ctx
    const texts = ctx.texts.inbound
    if (!msg.supported) {
      ctx.outcome = 'unsupported'
      await ctx.reply(unsupportedReply(texts, msg.msgtype))
      return
    }
    if (msg.text === '' && msg.attachments.length > 0) {
      ctx.outcome = 'unsupported'
      await ctx.reply(texts.cannotUseFiles(msg.attachments))
      return
    }
    if (msg.text.length > limits.maxMessageChars) {
      ctx.outcome = 'too-long'
      await ctx.reply(texts.tooLong(msg.text.length, limits.maxMessageChars))
      return
    }
    if (msg.text.startsWith('/')) ctx.commandParse = parseCommandLine(msg.text)
    return next()
  }
}

/** Why a message cannot be read, in the words that fit its type: a voice message without words, a type DingTalk hides, or another. */
function unsupportedReply(texts: Texts['inbound'], msgtype: string): string {
  if (msgtype === 'audio') return texts.voiceWithoutWords
  if (msgtype === 'unknownMsgType') return texts.unknownMsgType
  return texts.unsupportedType(msgtype)
}
