import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openChatBrowser, type ChatBrowser } from '../helpers/browser.js'
import { startTestRouter, type TestRouter } from '../helpers/router.js'
import { STAND_IN_LABEL, startStandInModel, type StandInModel } from '../../src/simulator/stand-in-model.js'
import { startChatPage, type ChatPage } from '../../src/simulator/chat/page-server.js'
import { chatDirectory } from '../../src/simulator-mode.js'
import { SIM_CORP_ID } from '../../src/simulator/payload.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OUT = join(ROOT, 'test-output')

let router: TestRouter | undefined
let standIn: StandInModel | undefined
let chat: ChatPage | undefined
let browser: ChatBrowser | undefined
let page: Page
let pageErrors: string[] = []

beforeAll(async () => {
  standIn = await startStandInModel()
  const model = standIn
  // As in simulator mode: both card templates, and `ask` answered by the labelled stand-in model; the
  // simulator's corp configured, as the README says, because a card press names no robot corp.
  router = await startTestRouter({
    configure: (c) => ({
      ...c,
      dingtalk: { ...c.dingtalk, corpId: SIM_CORP_ID },
      cards: { ...c.cards, approvalTemplateId: 'sim-approval-card', streamingTemplateId: 'sim-ai-card' },
      model: { ...c.model, baseUrl: model.baseUrl, name: 'local-stand-in', label: STAND_IN_LABEL },
      egress: { ...c.egress, allowHttpLoopback: [model.dest] },
    }),
  })
  chat = await startChatPage({ simulatorUrl: router.sim.baseUrl, port: 0, ...chatDirectory(router.config) })
  browser = await openChatBrowser('cards-page')
  ;({ page, pageErrors } = browser)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await chat?.stop()
  await router?.stop()
  await standIn?.close()
})

async function be(person: 'user' | 'op1' | 'op2', where: 'dm' | 'cid-ops'): Promise<void> {
  await page.check(`input[name=person][value="${person}"]`)
  await page.check(`input[name=chat][value="${where}"]`)
}

async function type(text: string): Promise<void> {
  await page.fill('#text', text)
  await page.press('#text', 'Enter')
}

/** The bot's next group send in view whose text matches, after the `before` ones already there. */
async function groupSend(before: number, text: RegExp): Promise<void> {
  await page.locator('li.msg.bot[data-kind="group"] .bubble', { hasText: text }).nth(before).waitFor()
}

describe('approval cards on the chat page, in headless Chromium', () => {
  it("refuses the requester's press and approves with operator two's press", { timeout: 240_000 }, async () => {
    await page.goto(chat!.url)
    await page.locator('#bot-state', { hasText: 'bot connected' }).waitFor()
    await be('op1', 'cid-ops')
    await type('/disable-skill ping')
    await page.locator('li.msg.bot .bubble', { hasText: '"ping" is off' }).waitFor()
    await type('/enable-skill ping')
    const card = page.locator('li.msg.card[data-status="pending"]')
    await card.waitFor()
    await expect(card.locator('.card-title').innerText()).resolves.toContain('/enable-skill')
    const id = await card.getAttribute('data-out-track-id')
    // The pending panel knows the request from the card itself.
    await page.locator('#pending li.request').waitFor()

    const selfRefusal = /a different operator must approve it/
    await card.getByRole('button', { name: 'Approve' }).click()
    await groupSend(0, selfRefusal)
    await expect(page.locator(`li[data-out-track-id="${id}"]`).getAttribute('data-status')).resolves.toBe('pending')

    await be('op2', 'cid-ops')
    mkdirSync(OUT, { recursive: true })
    await page.screenshot({ path: join(OUT, 'chat-page-card.png') })
    await page.locator(`li[data-out-track-id="${id}"]`).getByRole('button', { name: 'Approve' }).click()
    const approved = page.locator(`li[data-out-track-id="${id}"][data-status="approved"]`)
    await approved.waitFor()
    await expect(approved.locator('.card-status').innerText()).resolves.toMatch(/^Approved by bob/)
    await expect(approved.locator('button').count()).resolves.toBe(0)
    await groupSend(0, /Approved: \/enable-skill/)
    // The pending list is re-derived shortly after each change: wait for it rather than read it at once.
    await page.locator('#pending-count', { hasText: /^0$/ }).waitFor()
    await page.screenshot({ path: join(OUT, 'chat-page-card-approved.png') })
    // `UPDATE_DOCS_SCREENSHOT=1 npx vitest run test/browser` refreshes the README's picture of a card.
    if (process.env.UPDATE_DOCS_SCREENSHOT)
      copyFileSync(join(OUT, 'chat-page-card-approved.png'), join(ROOT, 'docs', 'chat-page-cards.png'))
    expect(pageErrors).toEqual([])
  })

  it("streams an ask answer into an AI card in the user's one-to-one chat", { timeout: 120_000 }, async () => {
    await be('user', 'dm')
    await type('ask what can you do?')
    const done = page.locator('li.msg.card .card-ai[data-finalized="true"]')
    await done.waitFor()
    await expect(done.innerText()).resolves.toContain(`${STAND_IN_LABEL} You asked: "what can you do?"`)
    await expect(page.locator('li.msg.mine.waiting').count()).resolves.toBe(0)
    const id = await page.locator('li.msg.card').last().getAttribute('data-out-track-id')
    // At least one streaming update before the final one (how many depends on cards.streamingIntervalMs).
    const updates = router!.sim.cards.cards.get(id!)?.streaming ?? []
    expect(updates.map((u) => u.isFinalize)).toEqual([...updates.slice(1).map(() => false), true])
    expect(updates.length).toBeGreaterThanOrEqual(2)
    expect(pageErrors).toEqual([])
  })
})
