import type { Progress } from '../index'

/** What the bar draws on: a terminal's stderr. */
export interface Terminal {
  write(text: string): unknown
  columns?: number
}

/** Milliseconds between two redraws (about 10 per second). */
export const REDRAW_MS = 100

/**
 * A one-line progress bar on a terminal: bytes of total, records per second, errors and the time
 * left, redrawn in place with `\r` at most every {@link REDRAW_MS} ms and wiped when the
 * iteration ends, so nothing of it stays in the scrollback. Pass `update` as `onProgress`.
 */
export class ProgressBar {
  private lastDraw = -Infinity
  private drawn = false

  constructor(
    private readonly terminal: Terminal,
    private readonly now: () => number = Date.now,
  ) {}

  readonly update = (progress: Progress): void => {
    if (progress.done) {
      this.clear()
      return
    }
    const t = this.now()
    if (t - this.lastDraw < REDRAW_MS) return
    this.lastDraw = t
    this.terminal.write(`\r${renderProgress(progress, this.terminal.columns || 80)}\x1b[K`)
    this.drawn = true
  }

  /** Wipes the bar's line, if it is on screen. */
  clear(): void {
    if (!this.drawn) return
    this.drawn = false
    this.terminal.write('\r\x1b[K')
  }
}

/** The bar's text for one snapshot, at most `columns - 1` characters wide. */
export function renderProgress(p: Progress, columns: number): string {
  const seconds = p.elapsedMs / 1000
  const rate = seconds > 0 ? p.records / seconds : 0
  const parts: string[] = []
  const known = p.totalBytes !== null && p.totalBytes > 0 && p.bytesRead !== null
  let fraction = 0
  if (known) {
    fraction = Math.min(1, (p.bytesRead ?? 0) / (p.totalBytes ?? 1))
    parts.push(`${formatBytes(p.bytesRead ?? 0)} / ${formatBytes(p.totalBytes ?? 0)}`)
  } else if (p.bytesRead !== null) {
    parts.push(`${formatBytes(p.bytesRead)} read`)
  }
  parts.push(`${p.records.toLocaleString('en-US')} records`, `${formatRate(rate)} records/s`)
  if (p.errors > 0) parts.push(`${p.errors.toLocaleString('en-US')} error${p.errors === 1 ? '' : 's'}`)
  if (known && fraction > 0 && fraction < 1) parts.push(`ETA ${formatDuration((seconds * (1 - fraction)) / fraction)}`)
  else parts.push(formatDuration(seconds))
  const text = parts.join('  ')
  const width = Math.max(10, columns - 1)
  if (known) {
    const percent = `${Math.floor(fraction * 100)
      .toString()
      .padStart(3)}%`
    const barWidth = Math.min(30, width - text.length - percent.length - 4)
    if (barWidth >= 10) {
      const full = Math.round(fraction * barWidth)
      return `${percent} [${'#'.repeat(full)}${'.'.repeat(barWidth - full)}] ${text}`
    }
    return truncate(`${percent} ${text}`, width)
  }
  return truncate(text, width)
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

function formatRate(rate: number): string {
  if (rate < 1000) return Math.round(rate).toString()
  if (rate < 1e6) return `${(rate / 1e3).toFixed(1)}k`
  return `${(rate / 1e6).toFixed(1)}M`
}

/** `0:07`, `12:30`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}
