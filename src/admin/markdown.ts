import type { ReplyContent } from '../dingtalk/message-content.js'

/**
 * A DingTalk markdown reply. The title is what the chat list and the phone notification show, so it
 * carries the gist on its own.
 * @example markdownReply('Router status', ['### Router status', '- **Stream:** connected'])
 */
export function markdownReply(title: string, lines: string[]): ReplyContent {
  return { title, markdown: lines.join('\n') }
}

/**
 * A markdown table. Cells are flattened to one line and `|` is escaped, so an operator's reason
 * cannot break the layout.
 * @example table(['skill', 'state'], [['ping', 'on']]) // ['| skill | state |', '|---|---|', '| ping | on |']
 */
export function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)]
}

function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim() || ' '
}
