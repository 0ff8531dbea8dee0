import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
// The background-networking flags keep Chromium from dialling out, which this closed network refuses.
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

/** Debian's Chromium with a fresh profile and one page; every page error and console error is collected. */
export interface ChatBrowser {
  page: Page
  context: BrowserContext
  /** Uncaught page errors and console errors (CSP violations, failed requests): the page must have none. */
  pageErrors: string[]
  close(): Promise<void>
}

/**
 * Starts headless Chromium for the chat page tests.
 * @example const browser = await openChatBrowser('chat-page'); await browser.page.goto(chat.url)
 */
export async function openChatBrowser(name: string): Promise<ChatBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it (Debian: apt-get install -y chromium; .ci/run does this) ` +
        'or point CHROMIUM_PATH at a Chromium binary.',
    )
  }
  const profile = mkdtempSync(join(tmpdir(), `${name}-chromium-`))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: 60_000,
    viewport: { width: 1280, height: 960 },
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(WAIT_MS)
  const pageErrors: string[] = []
  page.on('pageerror', (err) => pageErrors.push(err.message))
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text())
  })
  return {
    page,
    context,
    pageErrors,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
