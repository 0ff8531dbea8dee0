/** Reading GET /metrics the way Prometheus would, for assertions on counters and gauges. */

/** One sample line of the text exposition: `name{k="v",…} value`, labels parsed. */
interface Sample {
  name: string
  labels: Map<string, string>
  key: string
  value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

async function samples(httpUrl: string): Promise<Sample[]> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text()
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line)
    if (!m) continue
    const labels = new Map([...(m[2] ?? '').matchAll(LABEL)].map((l) => [l[1]!, l[2]!] as const))
    out.push({ name: m[1]!, labels, key: line.slice(0, line.lastIndexOf(' ')), value: Number(m[3]) })
  }
  return out
}

/**
 * The first sample of `name` carrying every one of `labels`, 0 when there is none yet.
 * @example await metricValue(r.httpUrl, 'router_prompt_tokens_total', { route: 'ask' })
 */
export async function metricValue(httpUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const wanted = Object.entries(labels)
  const hit = (await samples(httpUrl)).find((s) => s.name === name && wanted.every(([k, v]) => s.labels.get(k) === v))
  return hit?.value ?? 0
}

/** Every sample of /metrics in a map `name{labels}` → value, exactly as exposed. */
export async function scrape(httpUrl: string): Promise<Map<string, number>> {
  return new Map((await samples(httpUrl)).map((s) => [s.key, s.value]))
}
