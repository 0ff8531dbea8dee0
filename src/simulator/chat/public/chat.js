// The simulator's chat page. It speaks only the simulator's protocol, through the page server's
// same-origin proxy: POST /sim/messages to say something as the chosen person, GET /sim/events to watch
// every conversation (bot replies, proactive sends and cards included), POST /sim/card-callback to press a
// card button as the chosen person (DingTalk's card callback), GET /sim/state for the bot's connection.
import { pendingApprovals } from './approvals.js'
import { renderMarkdown } from './markdown.js'

const $ = (id) => document.getElementById(id)
const MARKDOWN = new Set(['markdown', 'sampleMarkdown', 'actionCard', 'sampleActionCard'])
const NO_REPLY_MS = 20_000
const SUGGESTIONS = {
  dm: ['ping', 'help', '帮助'],
  group: ['/status', '/pending', '/disable-skill ping', '/enable-skill ping', '/help'],
}

const config = await (await fetch('/config.json')).json()
const entries = []
const answered = new Set()
let pendingTimer
const view = initialView()

function initialView() {
  const q = new URLSearchParams(location.search)
  let saved = {}
  try {
    saved = JSON.parse(localStorage.getItem('sim-chat-view') ?? '{}')
  } catch {
    /* a corrupt entry only costs the remembered choice */
  }
  const person = q.get('as') ?? saved.person
  const chat = q.get('chat') ?? saved.chat
  return {
    person: config.people.some((p) => p.key === person) ? person : config.people[0].key,
    chat: chat === 'dm' || config.groups.some((g) => g.conversationId === chat) ? chat : 'dm',
  }
}

const me = () => config.people.find((p) => p.key === view.person)
const group = (cid) => config.groups.find((g) => g.conversationId === cid)
const currentConversation = () => (view.chat === 'dm' ? `cid-dm-${me().staffId}` : view.chat)
const time = (ms) =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })

function inView(e) {
  if (e.conversationId === currentConversation()) return true
  if (e.type === 'card') return view.chat === 'dm' && e.staffId === me().staffId
  return e.type === 'reply' && e.kind === 'oto' && view.chat === 'dm' && (e.userIds ?? []).includes(me().staffId)
}

function el(tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

// A card as DingTalk shows it: the template's variables, its buttons while they apply, and a streaming
// AI card's text as it grows. Every change arrives as a new entry with the card's whole state.
function cardNode(e) {
  const li = el('li', 'msg bot card')
  li.dataset.outTrackId = e.outTrackId
  li.dataset.status = e.params.status ?? ''
  const body = el('div', `bubble md card-${e.kind}`)
  if (e.kind === 'ai') {
    body.innerHTML = renderMarkdown(e.params.content ?? '') // safe: the renderer escapes what it does not make
    body.dataset.finalized = String(e.finalized)
    if (!e.finalized) body.classList.add('streaming')
  } else {
    body.append(el('h4', 'card-title', e.params.title ?? 'Card'))
    const text = el('div', 'card-text')
    text.innerHTML = renderMarkdown(e.params.markdown ?? '')
    body.append(text)
    if (e.params.statusText) body.append(el('p', `card-status status-${e.params.status ?? ''}`, e.params.statusText))
    if (e.buttons.length > 0) {
      const actions = el('div', 'actions card-actions')
      for (const b of e.buttons) {
        const button = el('button', `card-button ${b.actionId}`, b.label)
        button.type = 'button'
        button.dataset.actionId = b.actionId
        button.title = `Press ${b.label} as ${me().label}`
        button.addEventListener('click', () => void pressCard(e.outTrackId, b.actionId))
        actions.append(button)
      }
      body.append(actions)
    }
  }
  const meta = el('div', 'meta', `${config.botName} · card · ${time(e.at)}`)
  const column = el('div', 'column')
  column.append(meta, body)
  li.append(el('span', 'avatar', 'R'), column)
  return li
}

async function pressCard(outTrackId, actionId) {
  try {
    const res = await fetch('/sim/card-callback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outTrackId, staffId: me().staffId, actionId }),
    })
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`)
    showError('')
  } catch (err) {
    showError(`Could not press the button: ${err.message}`)
  }
}

function entryNode(e) {
  if (e.type === 'card') return cardNode(e)
  const li = el('li', 'msg')
  const body = el('div', 'bubble')
  let who
  if (e.type === 'message') {
    li.classList.add(e.senderStaffId === me().staffId ? 'mine' : 'theirs')
    li.dataset.msgId = e.msgId
    who = `${e.senderNick}${e.senderStaffId ? ` (${e.senderStaffId})` : ''}`
    body.textContent = e.msgtype === 'text' ? e.text : `[${e.msgtype}] ${e.text}`
    if (!answered.has(e.msgId)) markWaiting(li, e.at)
  } else {
    li.classList.add('bot')
    li.dataset.kind = e.kind
    if (e.msgId) li.dataset.replyTo = e.msgId
    who = config.botName + (e.kind === 'group' ? ' · group send' : e.kind === 'oto' ? ' · direct send' : '')
    if (MARKDOWN.has(e.msgtype)) {
      body.classList.add('md')
      body.innerHTML = renderMarkdown(e.text) // safe: the renderer escapes everything it does not produce itself
      if (e.title) body.title = e.title
    } else {
      body.textContent = e.text
    }
  }
  const avatar = el('span', 'avatar', e.type === 'reply' ? 'R' : (e.senderNick || '?').slice(0, 1))
  const meta = el('div', 'meta', `${who} · ${time(e.at)}`)
  const column = el('div', 'column')
  column.append(meta, body)
  li.append(avatar, column)
  return li
}

function markWaiting(li, at) {
  const left = at + NO_REPLY_MS - Date.now()
  if (left <= 0) return li.classList.add('unanswered')
  li.classList.add('waiting')
  setTimeout(() => li.classList.contains('waiting') && li.classList.replace('waiting', 'unanswered'), left)
}

function scrollDown() {
  const list = $('messages')
  list.scrollTop = list.scrollHeight
}

function renderAll() {
  localStorage.setItem('sim-chat-view', JSON.stringify(view))
  const g = group(view.chat)
  $('chat-title').textContent = g ? g.title : `${config.botName} · 单聊 one-to-one`
  $('chat-sub').textContent = `${currentConversation()} · you are ${me().label} (${me().staffId})`
  $('text').placeholder = `Message as ${me().label}…  (Enter to send)`
  // Only the checked state changes: rebuilding the radios would drop keyboard focus mid-choice.
  for (const input of document.querySelectorAll('input[type=radio]')) input.checked = input.value === view[input.name]
  $('messages').replaceChildren(...entries.filter(inView).map(entryNode))
  $('suggestions').replaceChildren(
    ...SUGGESTIONS[g ? 'group' : 'dm'].map((s) => {
      const b = el('button', 'chip', s)
      b.type = 'button'
      b.addEventListener('click', () => {
        $('text').value = s
        $('text').focus()
      })
      return b
    }),
  )
  renderPending()
  scrollDown()
}

function renderChoices() {
  const people = config.people.map((p) => ({
    value: p.key,
    label: p.label,
    sub: `${p.nick} · ${p.staffId}`,
    role: p.role,
  }))
  const chats = [
    { value: 'dm', label: 'One-to-one with the bot', sub: '单聊' },
    ...config.groups.map((g) => ({ value: g.conversationId, label: g.title, sub: `group · ${g.conversationId}` })),
  ]
  radios($('people'), 'person', people, view.person)
  radios($('chats'), 'chat', chats, view.chat)
}

function radios(container, name, options, checked) {
  container.replaceChildren(
    ...options.map((o) => {
      const label = el('label', `choice${o.role ? ` role-${o.role}` : ''}`)
      const input = el('input')
      Object.assign(input, { type: 'radio', name, value: o.value, checked: o.value === checked })
      input.addEventListener('change', () => {
        view[name] = o.value
        renderAll()
      })
      const text = el('span', 'choice-text')
      text.append(el('span', '', o.label), el('span', 'muted small', o.sub))
      label.append(input, text)
      return label
    }),
  )
}

function renderPending() {
  const open = pendingApprovals(entries, Date.now())
  $('pending-count').textContent = String(open.length)
  $('pending-empty').hidden = open.length > 0
  $('pending').replaceChildren(
    ...open.map((r) => {
      const li = el('li', 'request')
      li.dataset.approvalId = r.id
      const facts = [
        `id ${r.id}`,
        r.requester && `by ${r.requester}`,
        r.expiresAt && `expires ${Math.max(0, Math.ceil((r.expiresAt - Date.now()) / 60_000))} min`,
      ].filter(Boolean)
      li.append(el('code', 'what', r.command ?? 'request'), el('div', 'muted small', facts.join(' · ')))
      const actions = el('div', 'actions')
      for (const verb of ['approve', 'deny']) {
        const b = el('button', verb, verb === 'approve' ? 'Approve' : 'Deny')
        b.type = 'button'
        b.title = `Send /${verb} ${r.id} as ${me().label}`
        b.addEventListener('click', () => decide(verb, r))
        actions.append(b)
      }
      li.append(actions)
      return li
    }),
  )
}

function decide(verb, r) {
  const cid = r.conversationId ?? config.groups[0]?.conversationId
  if (cid && view.chat !== cid && group(cid)) {
    view.chat = cid
    renderAll()
  }
  void say(`/${verb} ${r.id}`, cid)
}

async function say(text, cid = currentConversation()) {
  const p = me()
  const g = group(cid)
  const body = {
    text,
    senderStaffId: p.staffId,
    senderNick: p.nick,
    conversationId: cid,
    conversationType: g ? '2' : '1',
  }
  if (g) body.conversationTitle = g.title
  try {
    const res = await fetch('/sim/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`)
    showError('')
  } catch (err) {
    showError(`Could not send: ${err.message}`)
  }
}

function showError(text) {
  $('error').textContent = text
  $('error').hidden = text === ''
}

function add(e) {
  if (e.type === 'card') {
    // A card keeps its place in the conversation; each change replaces it there.
    const at = entries.findIndex((x) => x.type === 'card' && x.outTrackId === e.outTrackId)
    if (at >= 0) {
      entries[at] = { ...e, at: entries[at].at }
      const node = document.querySelector(`li[data-out-track-id="${CSS.escape(e.outTrackId)}"]`)
      node?.replaceWith(cardNode(entries[at]))
      clearTimeout(pendingTimer)
      pendingTimer = setTimeout(renderPending, 30)
      return
    }
    // A new card is the bot's answer to what was said before it in that conversation.
    const cid = e.conversationId ?? `cid-dm-${e.staffId}`
    for (const m of entries) {
      if (m.type !== 'message' || m.conversationId !== cid || answered.has(m.msgId)) continue
      answered.add(m.msgId)
      document.querySelector(`li[data-msg-id="${CSS.escape(m.msgId)}"]`)?.classList.remove('waiting', 'unanswered')
    }
  }
  entries.push(e)
  if (e.type === 'reply' && e.msgId) {
    answered.add(e.msgId)
    document.querySelector(`li[data-msg-id="${CSS.escape(e.msgId)}"]`)?.classList.remove('waiting', 'unanswered')
  }
  if (inView(e)) {
    $('messages').append(entryNode(e))
    scrollDown()
  }
  // History arrives as hundreds of events at once: derive the approvals once for the whole burst.
  clearTimeout(pendingTimer)
  pendingTimer = setTimeout(renderPending, 30)
}

function pill(id, text, ok) {
  $(id).textContent = text
  $(id).className = `pill ${ok ? 'ok' : 'bad'}`
}

async function pollBot() {
  try {
    const s = await (await fetch('/sim/state')).json()
    pill('bot-state', s.connections > 0 ? 'bot connected' : 'bot not connected', s.connections > 0)
  } catch {
    pill('bot-state', 'simulator unreachable', false)
  }
}

$('composer').addEventListener('submit', (ev) => {
  ev.preventDefault()
  const text = $('text').value.trim()
  if (!text) return
  $('text').value = ''
  void say(text)
})

renderChoices()
renderAll()
const events = new EventSource('/sim/events')
events.addEventListener('open', () => pill('stream-state', 'live', true))
events.addEventListener('error', () => pill('stream-state', 'reconnecting…', false))
events.addEventListener('message', (m) => add(JSON.parse(m.data)))
void pollBot()
setInterval(pollBot, 5000)
// Expiry countdowns move on even when nobody speaks.
setInterval(renderPending, 15_000)
