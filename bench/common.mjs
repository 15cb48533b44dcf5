// Helpers shared by benchmark.mjs and throughput.mjs: the machine description, statistics,
// table printing and the benchmark data folder.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generate } from './datasets.mjs'

/** Sizes are in MiB throughout (1 MB = 2^20 bytes), and speeds in MiB/s. */
export const MB = 1 << 20

/** nproc, CPU model, memory and Node.js version: printed above every result table. */
export function describeMachine() {
  let cpuModel = cpus()[0]?.model ?? 'unknown'
  try {
    const modelLine = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)
    if (modelLine) cpuModel = modelLine[1].trim()
  } catch {
    // Not Linux: the model from os.cpus() is the best there is.
  }
  return `${cpus().length} cores (${cpuModel}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node.js ${process.version}, ${process.platform}-${process.arch}`
}

/**
 * Which ringstream build is measured: the self-referenced dist/ and when it was built, since
 * the engine changes under the benchmarks while it is being developed.
 */
export function describeBuild() {
  const entry = fileURLToPath(import.meta.resolve('ringstream'))
  const { version } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'))
  return `ringstream ${version}, ${entry} built ${statSync(entry).mtime.toISOString()}`
}

/**
 * CPU time of the calling (JS) thread in ms, from Linux's per-thread scheduler statistics;
 * `null` where they are not there. The process's CPU time less this is the other threads': the
 * native engine's reader thread, V8's GC helpers, libuv's pool.
 */
export function jsThreadCpuMs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
  } catch {
    return null
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Splits a comma-separated option into names; an absent option selects everything. */
export function listOption(value) {
  return value ? value.split(',').map((name) => name.trim()).filter(Boolean) : []
}

/** Checks the names a user gave against the known ones, so a typo fails instead of selecting nothing. */
export function pick(names, known, what) {
  const unknown = names.filter((name) => !known.includes(name))
  if (unknown.length > 0) throw new Error(`unknown ${what} ${unknown.join(', ')}; choose from ${known.join(', ')}`)
  return names.length > 0 ? known.filter((name) => names.includes(name)) : known
}

/**
 * The folder the datasets are read from. With `dataDir` the files there are reused when they
 * exist at about the right size and generated when not, and the folder is kept; otherwise a
 * temporary folder is generated and `cleanup()` deletes it.
 */
export async function prepareData({ dataDir, sizeMb, datasets, log = console.log }) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'ringstream-bench-'))
  const bytes = sizeMb * MB
  const missing = datasets.filter((name) => {
    const path = join(dir, name)
    // The generator stops at the first flush past `bytes`, so a complete file is slightly longer.
    return !existsSync(path) || statSync(path).size < bytes || statSync(path).size > bytes + 2 * MB
  })
  if (missing.length > 0) {
    log(`generating ${missing.join(', ')} (${sizeMb} MiB each) in ${dir} …`)
    await generate(dir, bytes, missing)
  }
  const files = Object.fromEntries(datasets.map((name) => [name, join(dir, name)]))
  return {
    files,
    cleanup: () => {
      if (!dataDir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Prints rows (arrays of cells) as an aligned Markdown table, so output can be pasted as is. */
export function printTable(header, rows, log = console.log) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)))
  const line = (cells) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`
  log(line(header))
  log(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`)
  for (const row of rows) log(line(row))
}

/**
 * `faster / slower` as `1.23×`. Pass two speeds (MiB/s), or two times in the opposite order
 * (`baselineTime, readerTime`): either way the result says how many times faster a reader is.
 */
export function speedRatio(numerator, denominator) {
  if (!numerator || !denominator) return '–'
  return `${(numerator / denominator).toFixed(2)}×`
}

export function formatMs(seconds) {
  const ms = seconds * 1000
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)
}
