import { copyFileSync, mkdirSync } from 'node:fs'
import { COMMAND_REFUSAL } from '../helpers/english-texts.js'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openChatBrowser, type ChatBrowser } from '../helpers/browser.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'
import { startChatPage, type ChatPage } from '../../src/simulator/chat/page-server.js'
import { chatDirectory } from '../../src/simulator-mode.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OUT = join(ROOT, 'test-output')

let router: TestRouter | undefined
let chat: ChatPage | undefined
let browser: ChatBrowser | undefined
let page: Page
let pageErrors: string[] = []

beforeAll(async () => {
  router = await startTestRouter()
  chat = await startChatPage({ simulatorUrl: router.sim.baseUrl, port: 0, ...chatDirectory(router.config) })
  browser = await openChatBrowser('chat-page')
  ;({ page, pageErrors } = browser)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await chat?.stop()
  await router?.stop()
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
