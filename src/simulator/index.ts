/**
 * The local DingTalk simulator: `DingTalkSimulator` plus its public types.
 * @example
 * import { DingTalkSimulator } from '../simulator/index.js'
 */
export { DingTalkSimulator } from './server.js'
export type { RecordedReply, ReplyFilter, SentMessage, SimMessageInput, SimulatorOptions } from './types.js'
