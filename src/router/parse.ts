import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { parseCommandLine } from './command-parser.js'

/** Turns the text into either a `/command` (not yet trusted) or skill text; refuses what cannot be read. */
export function parse(limits: { maxMessageChars: number }): Middleware<Context> {
  return async function parse(ctx, next) {
    const { msg } = ctx
    if (!msg.supported) {
      ctx.outcome = 'unsupported'
      await ctx.reply(
        `I can only read text messages for now (this was "${msg.msgtype.slice(0, 32)}"). Please type your request.`,
      )
      return
    }
    if (msg.text.length > limits.maxMessageChars) {
      ctx.outcome = 'too-long'
      await ctx.reply(
        `That message is ${msg.text.length} characters; I take at most ${limits.maxMessageChars}. Please send a shorter request.`,
      )
      return
    }
    if (msg.text.startsWith('/')) ctx.commandParse = parseCommandLine(msg.text)
    return next()
  }
}
