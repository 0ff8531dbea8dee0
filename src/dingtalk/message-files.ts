import type { Attachment } from './message-content.js'
import type { OpenApiClient } from './openapi.js'

/** A file a user sent, fetched. */
export interface DownloadedFile {
  bytes: Buffer
  contentType?: string
  name?: string
}

export interface MessageFilesOptions {
  /** Files larger than this are refused before or while reading. */
  maxBytes: number
  timeoutMs?: number
  /** Plain HTTP download URLs are accepted only on loopback, and only when this is true (the simulator). */
  allowHttpLoopback?: boolean
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * Fetches the files users send the robot: DingTalk's message-file download API turns a downloadCode into a
 * short-lived URL (through the OpenAPI base, with the access token), which is then read with a size cap.
 * @example const file = await files.download(msg.attachments[0])
 */
export class MessageFiles {
  constructor(
    private readonly openapi: OpenApiClient,
    private readonly opts: MessageFilesOptions,
  ) {}

  async download(attachment: Attachment): Promise<DownloadedFile> {
    const { maxBytes } = this.opts
    if (attachment.size !== undefined && attachment.size > maxBytes)
      throw new Error(`the ${attachment.type} is ${attachment.size} bytes; at most ${maxBytes} are fetched`)
    const url = this.checkedUrl(await this.openapi.messageFileUrl(attachment.downloadCode))
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000) })
    if (!res.ok || !res.body) throw new Error(`file download failed: HTTP ${res.status}`)
    const declared = Number(res.headers.get('content-length') ?? '0')
    if (declared > maxBytes)
      throw new Error(`the ${attachment.type} is ${declared} bytes; at most ${maxBytes} are fetched`)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of res.body) {
      size += chunk.byteLength
      if (size > maxBytes) throw new Error(`the ${attachment.type} is over ${maxBytes} bytes; not fetched`)
      chunks.push(Buffer.from(chunk))
    }
    return {
      bytes: Buffer.concat(chunks),
      ...(res.headers.get('content-type') ? { contentType: res.headers.get('content-type')! } : {}),
      ...(attachment.name ? { name: attachment.name } : {}),
    }
  }

  private checkedUrl(raw: string): URL {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new Error('messageFiles/download answered with an unreadable downloadUrl')
    }
    const loopbackHttp = url.protocol === 'http:' && LOOPBACK.has(url.hostname) && this.opts.allowHttpLoopback
    if ((url.protocol !== 'https:' && !loopbackHttp) || url.username || url.password)
      throw new Error(`refused downloadUrl with ${url.protocol} to ${url.hostname.slice(0, 100)}`)
    return url
  }
}
