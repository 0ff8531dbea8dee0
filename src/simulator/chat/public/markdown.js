// DingTalk-flavoured markdown to HTML, for the simulator's chat page. Covers what DingTalk robot
// messages use: headings, bold, italic, links, quotes, lists, inline and fenced code, tables, rules and
// single-newline line breaks (DingTalk keeps them; CommonMark would not). The whole input is HTML-escaped
// before any tag is produced, and the only tags ever emitted are the ones written below, so a reply can
// never inject markup or script into the page. Types: markdown.d.ts.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const SAFE_URL = /^(https?:\/\/|dingtalk:\/\/|dtmd:\/\/|mailto:)/i
const MARK = '\u0000'

/** Escape text for HTML content and attribute values. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c])
}

/** Render DingTalk markdown to safe HTML. */
export function renderMarkdown(source) {
  const text = escapeHtml(
    String(source ?? '')
      .replace(/\u0000/g, '')
      .replace(/\r\n?/g, '\n'),
  )
  return blocks(text.split('\n')).join('')
}

const FENCE = /^\s*(`{3,}|~{3,})/
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(\s+#+)?\s*$/
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/
const QUOTE = /^\s{0,3}&gt;\s?(.*)$/
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/
const TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/

/** Lines (already escaped) to block HTML. */
function blocks(lines) {
  const out = []
  let para = []
  const flush = () => {
    if (para.length > 0) out.push(`<p>${para.map(inline).join('<br>')}</p>`)
    para = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    let m
    if ((m = FENCE.exec(line))) {
      flush()
      const code = []
      while (++i < lines.length && !lines[i].trim().startsWith(m[1])) code.push(lines[i])
      out.push(`<pre><code>${code.join('\n')}</code></pre>`)
    } else if (line.trim() === '') {
      flush()
    } else if ((m = HEADING.exec(line))) {
      flush()
      out.push(`<h${m[1].length}>${inline(m[2])}</h${m[1].length}>`)
    } else if (RULE.test(line)) {
      flush()
      out.push('<hr>')
    } else if (line.includes('|') && i + 1 < lines.length && isTableRule(lines[i + 1], line)) {
      flush()
      const rows = [line]
      const rule = lines[++i]
      while (i + 1 < lines.length && lines[i + 1].includes('|') && lines[i + 1].trim() !== '') rows.push(lines[++i])
      out.push(table(rows, rule))
    } else if (QUOTE.test(line)) {
      flush()
      const quoted = []
      while (i < lines.length && (m = QUOTE.exec(lines[i]))) {
        quoted.push(m[1])
        i++
      }
      i--
      out.push(`<blockquote>${blocks(quoted).join('')}</blockquote>`)
    } else if (ITEM.test(line)) {
      flush()
      const start = i
      while (i + 1 < lines.length && (ITEM.test(lines[i + 1]) || /^\s{2,}\S/.test(lines[i + 1]))) i++
      out.push(list(lines.slice(start, i + 1)))
    } else {
      para.push(line.trim())
    }
  }
  flush()
  return out
}

/** Consecutive list lines to nested `<ul>`/`<ol>`; deeper indentation opens a sub-list. */
function list(lines) {
  const base = ITEM.exec(lines[0])
  const indent = base[1].length
  const ordered = /\d/.test(base[2])
  const items = []
  for (const line of lines) {
    const m = ITEM.exec(line)
    if (m && m[1].length <= indent) items.push({ text: [m[3]], children: [] })
    else if (m) items[items.length - 1].children.push(line)
    else items[items.length - 1].text.push(line.trim())
  }
  const body = items.map(
    (it) => `<li>${it.text.map(inline).join('<br>')}${it.children.length ? list(it.children) : ''}</li>`,
  )
  const tag = ordered ? 'ol' : 'ul'
  const first = ordered ? Number.parseInt(base[2], 10) : 1
  return `<${tag}${ordered && first !== 1 ? ` start="${first}"` : ''}>${body.join('')}</${tag}>`
}

/** A GFM delimiter row (`|---|:-:|`) with as many cells as the header above it. */
function isTableRule(rule, header) {
  return TABLE_RULE.test(rule) && cells(rule).length === cells(header).length
}

/** Split a table row on pipes that are not escaped as `\|`. */
function cells(row) {
  const trimmed = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
  return trimmed.split(/(?<!\\)\|/).map((c) => c.trim())
}

function table(rows, rule) {
  const align = cells(rule).map((c) =>
    c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : '',
  )
  const cls = (i) => (align[i] ? ` class="align-${align[i]}"` : '')
  const row = (r, tag) =>
    `<tr>${cells(r)
      .map((c, i) => `<${tag}${cls(i)}>${inline(c)}</${tag}>`)
      .join('')}</tr>`
  const [head, ...body] = rows
  return `<div class="table-wrap"><table><thead>${row(head, 'th')}</thead><tbody>${body.map((r) => row(r, 'td')).join('')}</tbody></table></div>`
}

/** Inline markup of one escaped line. Code spans, escapes and links are set aside first so nothing inside them is touched. */
function inline(text) {
  const stash = []
  const keep = (html) => `${MARK}${stash.push(html) - 1}${MARK}`
  let s = text
    .replace(/(`+)(.+?)\1/g, (_, _ticks, code) => keep(`<code>${code.trim()}</code>`))
    .replace(/\\([\\`*_{}[\]()#+\-.!|~])/g, (_, c) => keep(c))
    .replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (all, alt, url) =>
      SAFE_URL.test(url) ? keep(link(url, `[${alt || 'image'}]`)) : all,
    )
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (all, label, url) =>
      SAFE_URL.test(url) ? keep(link(url, emphasis(label))) : all,
    )
    .replace(
      /(^|[\s(（])(https?:\/\/(?:[^\s<>()（）&]|&amp;)*[^\s<>()（）&.,;:!?，。；：！？])/g,
      (_, pre, url) => pre + keep(link(url, url)),
    )
  s = emphasis(s)
  while (s.includes(MARK)) s = s.replace(/\u0000(\d+)\u0000/g, (_, n) => stash[Number(n)])
  return s
}

function emphasis(s) {
  return s
    .replace(/\*\*(?=\S)(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*(?=\S)([^*]+?)\*(?!\w)/g, '$1<em>$2</em>')
}

function link(url, label) {
  return `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`
}
