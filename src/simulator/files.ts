import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendApiError } from './http-util.js'

// The simulator's files: download codes from payloads and the short-lived URLs that serve them.

interface StoredFile {
  bytes: Buffer
  contentType: string
}

/** How long a download URL works, like DingTalk's signed storage links. */
const URL_TTL_MS = 60 * 60_000

/**
 * The files users "sent" the robot: download codes from the payloads, and the short-lived URLs that
 * `messageFiles/download` hands out for them, served at `GET /sim/files?key=…`.
 * @example files.put(code, Buffer.from('png'), 'image/png'); const key = files.issue(code)
 */
export class SimFiles {
  private readonly byCode = new Map<string, StoredFile>()
  private readonly urls = new Map<string, { code: string; expiresAt: number }>()

  constructor(private readonly now: () => number) {}

  put(downloadCode: string, bytes: Buffer, contentType: string): void {
    this.byCode.set(downloadCode, { bytes, contentType })
  }

  has(downloadCode: string): boolean {
    return this.byCode.has(downloadCode)
  }

  /** A fresh unguessable key for one download URL of `downloadCode`. */
  issue(downloadCode: string): string {
    const key = randomBytes(16).toString('hex')
    this.urls.set(key, { code: downloadCode, expiresAt: this.now() + URL_TTL_MS })
    return key
  }

  /** `GET /sim/files?key=…`: the bytes, or 403 like an expired signed link. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const key = new URL(req.url ?? '/', 'http://sim').searchParams.get('key') ?? ''
    const url = this.urls.get(key)
    const file = url && this.now() <= url.expiresAt ? this.byCode.get(url.code) : undefined
    if (!file) {
      sendApiError(res, 403, 'AccessDenied', 'Request has expired or the signature does not match')
      return
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.bytes.length })
    res.end(file.bytes)
  }
}
