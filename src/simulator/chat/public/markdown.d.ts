/**
 * Escape text for HTML content and attribute values.
 * @example escapeHtml('<b>') // '&lt;b&gt;'
 */
export function escapeHtml(text: string): string

/**
 * Render DingTalk markdown (headings, bold, italic, links, quotes, lists, code, tables, line breaks) to
 * HTML. The input is escaped before any tag is produced, so the result is safe for `innerHTML`.
 * @example renderMarkdown('**on**') // '<p><strong>on</strong></p>'
 */
export function renderMarkdown(source: string): string
