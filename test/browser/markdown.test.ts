import { describe, expect, it } from 'vitest'
import { approvalRequestReply } from '../../src/admin/approval-text.js'
import { textsFor } from '../../src/i18n/catalogue.js'
import { table } from '../../src/admin/markdown.js'
import { escapeHtml, renderMarkdown } from '../../src/simulator/chat/public/markdown.js'
import type { ApprovalRequest } from '../../src/store/approvals.js'

/** Tags in rendered HTML, to prove nothing but the renderer's own markup comes out. */
const tags = (html: string) => [...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1])
const ALLOWED = new Set([
  'p',
  'br',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'strong',
  'em',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'blockquote',
  'hr',
  'a',
  'div',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
])

describe('renderMarkdown (DingTalk subset)', () => {
  it('escapes HTML before anything else, in text, code, links and tables', () => {
    const hostile = [
      '<script>alert(1)</script> <img src=x onerror=alert(1)>',
      '`<b>code</b>` **<i>bold</i>**',
      '[click](javascript:alert(1)) [x](https://ok.example/" onmouseover="alert(1))',
      '| a | <svg onload=alert(1)> |',
      '|---|---|',
      '| "q" | \'s\' & |',
      '```',
      '<iframe src=evil>',
      '```',
    ].join('\n')
    const html = renderMarkdown(hostile)
    expect(tags(html).every((t) => ALLOWED.has(t))).toBe(true)
    expect(html).not.toMatch(/<(script|img|svg|iframe|i)\b/)
    expect(html).not.toContain('href="javascript')
    expect(html).toContain('&lt;script&gt;')
    // The only attribute values are ours, with quotes escaped, so nothing can break out of href.
    expect(html).not.toMatch(/href="[^"]*"\s+on/)
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })

  it('renders headings, emphasis, code, links, quotes, rules and keeps single line breaks', () => {
    expect(renderMarkdown('#### 杭州天气 @150XXXXXXXX')).toBe('<h4>杭州天气 @150XXXXXXXX</h4>')
    expect(renderMarkdown('**粗体** and *italic*, `code`')).toBe(
      '<p><strong>粗体</strong> and <em>italic</em>, <code>code</code></p>',
    )
    expect(renderMarkdown('first line\n第二行')).toBe('<p>first line<br>第二行</p>')
    expect(renderMarkdown('a\n\nb')).toBe('<p>a</p><p>b</p>')
    expect(renderMarkdown('> 9度，西北风1级\n> more')).toBe('<blockquote><p>9度，西北风1级<br>more</p></blockquote>')
    expect(renderMarkdown('[天气](https://www.dingtalk.com/?a=1&b=2)')).toBe(
      '<p><a href="https://www.dingtalk.com/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">天气</a></p>',
    )
    expect(renderMarkdown('see https://x.example/p.')).toContain('<a href="https://x.example/p"')
    expect(renderMarkdown('---')).toBe('<hr>')
    expect(renderMarkdown('2 * 3 * 4 and snake_case_name')).toBe('<p>2 * 3 * 4 and snake_case_name</p>')
    expect(renderMarkdown('```\nline 1\n  line 2\n```')).toBe('<pre><code>line 1\n  line 2</code></pre>')
  })

  it('renders ordered, unordered and nested lists', () => {
    expect(renderMarkdown('- item1\n- item2')).toBe('<ul><li>item1</li><li>item2</li></ul>')
    expect(renderMarkdown('1. one\n2. two\n   - sub')).toBe('<ol><li>one</li><li>two<ul><li>sub</li></ul></li></ol>')
    expect(renderMarkdown('3. three')).toBe('<ol start="3"><li>three</li></ol>')
  })

  it('renders the status table the commands build, escaped pipes included', () => {
    const html = renderMarkdown(
      [
        '### Router status',
        '',
        ...table(
          ['skill', 'state'],
          [
            ['ping', 'OFF (a | b)'],
            ['help', 'on'],
          ],
        ),
      ].join('\n'),
    )
    expect(html).toBe(
      '<h3>Router status</h3><div class="table-wrap"><table><thead><tr><th>skill</th><th>state</th></tr></thead>' +
        '<tbody><tr><td>ping</td><td>OFF (a | b)</td></tr><tr><td>help</td><td>on</td></tr></tbody></table></div>',
    )
    expect(renderMarkdown('| a | b |\n|:-:|--:|\n| 1 | 2 |')).toContain(
      '<td class="align-center">1</td><td class="align-right">2</td>',
    )
    expect(renderMarkdown('not | a table\n---')).toBe('<p>not | a table</p><hr>')
  })

  it('renders an approval request as DingTalk shows it: command, requester, expiry, and the /approve line', () => {
    const now = Date.UTC(2025, 0, 1, 12)
    const request: ApprovalRequest = {
      id: 'k3x9q2m7ta',
      command: 'enable-skill',
      args: { skill: 'ping' },
      argsHash: '',
      requester: 'op1',
      requesterName: 'alice',
      conversationId: 'cid-ops',
      createdAt: now,
      expiresAt: now + 15 * 60_000,
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      signature: '',
    }
    const reply = approvalRequestReply(request, now, textsFor('en').approval)
    if (typeof reply === 'string') throw new Error('expected a markdown reply')
    const html = renderMarkdown(reply.markdown)
    expect(html).toContain('<h3>Approval needed: /enable-skill</h3>')
    expect(html).toContain('<li><strong>Command:</strong> <code>/enable-skill skill=ping</code></li>')
    expect(html).toContain('<li><strong>Requested by:</strong> alice</li>')
    expect(html).toContain('<li><strong>Expires:</strong> 2025-01-01T12:15:00Z (in 15m)</li>')
    expect(html).toContain('<p>A second operator approves with: /approve k3x9q2m7ta</p>')
  })
})
