import os from 'node:os'

export interface MachineInfo {
  cpuModel: string
  cpus: number
  totalMemoryGB: number
  node: string
  platform: string
  /** 1, 5 and 15 minute load averages when the bench started and when it ended. */
  loadAverageAtStart: number[]
  loadAverageAtEnd?: number[]
}

/** What the numbers were measured on; the load average says how noisy the machine was. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    totalMemoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
  }
}

/** The load averages now, rounded. */
export function loadAverage(): number[] {
  return os.loadavg().map((v) => Math.round(v * 100) / 100)
}
