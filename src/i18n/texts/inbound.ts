import type { Attachment } from '../../dingtalk/message.js'
import type { TextsShape } from '../shape.js'

// The replies about what a message carries (its type, its files, its shape).

const en = {
  /** The answer to a callback that failed validation: the user must never be left in silence. */
  unreadable: 'I could not read that message. Please send your request again as plain text.',
  voiceWithoutWords: 'I could not make out any words in that voice message. Please type your request.',
  unknownMsgType:
    'I cannot read that kind of message (DingTalk does not pass it on to robots). Please type your request.',
  unsupportedType: (msgtype: string) =>
    `I cannot read "${msgtype.slice(0, 32)}" messages. Please type your request, or send it as a voice message.`,
  /** Files sent where they cannot be used: alone (no text to route), or to a skill that does not take them. */
  cannotUseFiles: (files: readonly Attachment[], skill?: string) => {
    const what = [...new Set(files.map((f) => f.type))].map((t) => `a ${t}`).join(' and ')
    const where = skill ? `: "${skill.slice(0, 40)}" reads text only` : ''
    return `I can't use files here${where} (you sent ${what}). Please send your request as text.`
  },
  tooLong: (chars: number, max: number) =>
    `That message is ${chars} characters; I take at most ${max}. Please send a shorter request.`,
}

const FILE_TYPE_ZH: Record<string, string> = { picture: '图片', file: '文件', video: '视频', audio: '语音' }

const zhCN: TextsShape<typeof en> = {
  unreadable: '我没能读懂这条消息，请用纯文本重新发送你的请求。',
  voiceWithoutWords: '我没能从这条语音里听出文字，请直接打字告诉我。',
  unknownMsgType: '我无法读取这类消息（钉钉不会把它转给机器人），请直接打字告诉我。',
  unsupportedType: (msgtype) => `我无法读取“${msgtype.slice(0, 32)}”类型的消息，请打字或发送语音。`,
  cannotUseFiles: (files, skill) => {
    const what = [...new Set(files.map((f) => FILE_TYPE_ZH[f.type] ?? f.type))].join('和')
    const where = skill ? `：“${skill.slice(0, 40)}”只读文字` : ''
    return `这里用不了文件${where}（你发送了${what}），请用文字发送你的请求。`
  },
  tooLong: (chars, max) => `这条消息有 ${chars} 个字符，我最多接受 ${max} 个，请发送更短的请求。`,
}

export const inboundTexts = { en, 'zh-CN': zhCN }
