/**
 * The local DingTalk simulator: `DingTalkSimulator` plus its public types.
 * @example
 * import { DingTalkSimulator } from '../simulator/index.js'
 */
export { DingTalkSimulator } from './server.js'
export { ROBOT_TOPIC } from './types.js'
export type { RecordedReply, ReplyFilter, SentMessage, SimMessageInput, SimStats, SimulatorOptions } from './types.js'
export type { FrameInfo } from './gateway.js'
export { simulatorEnv } from './router-env.js'
