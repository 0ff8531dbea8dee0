import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMAND_REFUSAL } from '../../src/router/policy.js'
import { startChatPage, type ChatPage } from '../../src/simulator/chat/page-server.js'
import { chatDirectory } from '../../src/simulator-mode.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** Generous: a loaded two-core CI machine runs Chromium, the router and vitest workers at once. */
const WAIT_MS = 30_000
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OUT = join(ROOT, 'test-output')

let router: TestRouter | undefined
let chat: ChatPage | undefined
let context: BrowserContext | undefined
let profile: string | undefined
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it (Debian: apt-get install -y chromium; .ci/run does this) ` +
        'or point CHROMIUM_PATH at a Chromium binary.',
    )
  }
  router = await startTestRouter()
  chat = await startChatPage({ simulatorUrl: router.sim.baseUrl, port: 0, ...chatDirectory(router.config) })
  profile = mkdtempSync(join(tmpdir(), 'chat-page-chromium-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 960 },
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(WAIT_MS)
  page.on('pageerror', (err) => pageErrors.push(err.message))
  // CSP violations and failed requests show up here: the page must work without any.
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text())
  })
}, 120_000)

afterAll(async () => {
  await context?.close()
  await chat?.stop()
  await router?.stop()
  if (profile) rmSync(profile, { recursive: true, force: true })
})

/** Pick who we are and where we talk, as a user would: with the radio buttons. */
async function be(person: 'user' | 'op1' | 'op2' | 'stranger', where: 'dm' | 'cid-ops'): Promise<void> {
  await page.check(`input[name=person][value="${person}"]`)
  await page.check(`input[name=chat][value="${where}"]`)
}

/** Wait until our next message shows up (it comes back through the simulator's event stream) and the bot answers it. */
async function answerTo(send: () => Promise<void>): Promise<Locator> {
  const mine = page.locator('li.msg.mine')
  const before = await mine.count()
  await send()
  const sent = mine.nth(before)
  await sent.waitFor()
  const msgId = await sent.getAttribute('data-msg-id')
  expect(msgId).toBeTruthy()
  const reply = page.locator(`li.msg.bot[data-reply-to="${msgId}"] .bubble`)
  await reply.waitFor()
  return reply
}

async function say(text: string): Promise<Locator> {
  return answerTo(async () => {
    await page.fill('#text', text)
    await page.press('#text', 'Enter')
  })
}

describe('the simulator chat page in headless Chromium', () => {
  it('disables and re-enables a skill with a second operator, and refuses a stranger', {
    timeout: 240_000,
  }, async () => {
    await page.goto(chat!.url)
    await page.locator('#stream-state', { hasText: 'live' }).waitFor()
    await page.locator('#bot-state', { hasText: 'bot connected' }).waitFor()

    await be('op1', 'cid-ops')
    expect(await (await say('/disable-skill ping')).innerText()).toMatch(/off/i)
    const status = await say('/status')
    // The status table is DingTalk markdown: it must come out as a real table, with ping shown off.
    await expect(status.locator('table tr', { hasText: 'ping' }).innerText()).resolves.toMatch(/OFF/)

    await be('user', 'dm')
    expect(await (await say('ping')).innerText()).not.toBe('pong')

    await be('op1', 'cid-ops')
    const request = await say('/enable-skill ping')
    const id = /\/approve\s+([a-z0-9_-]+)/i.exec(await request.innerText())?.[1]
    expect(id, 'the approval request names its /approve id').toBeTruthy()
    await expect(request.locator('h3').innerText()).resolves.toContain('/enable-skill')
    const pending = page.locator(`#pending li[data-approval-id="${id}"]`)
    await pending.waitFor()

    await be('op2', 'cid-ops')
    mkdirSync(OUT, { recursive: true })
    await page.screenshot({ path: join(OUT, 'chat-page.png') })
    const approved = await answerTo(() => pending.getByRole('button', { name: 'Approve' }).click())
    expect(await approved.innerText()).toMatch(/approved/i)
    await pending.waitFor({ state: 'detached' })
    await expect(page.locator('#pending-count').innerText()).resolves.toBe('0')

    await be('user', 'dm')
    expect(await (await say('ping')).innerText()).toBe('pong')

    await be('stranger', 'cid-ops')
    // In a group the refusal @-mentions its sender, on a line of its own.
    expect((await (await say('/status')).innerText()).split('\n')[0]).toBe(COMMAND_REFUSAL)
    await page.screenshot({ path: join(OUT, 'chat-page-end.png') })

    // `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/browser` refreshes the README's picture.
    if (process.env.UPDATE_DOCS_SCREENSHOT)
      copyFileSync(join(OUT, 'chat-page.png'), join(ROOT, 'docs', 'chat-page.png'))
    expect(pageErrors).toEqual([])
  })
})
