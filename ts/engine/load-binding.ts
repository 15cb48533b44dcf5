import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * Loads the native binding through `bindingPath`, the loader `napi build` generates
 * (`native/binding.js`), with one shortcut in front of it on Linux.
 *
 * To tell glibc from musl, napi-rs 2's loader calls `process.report.getReport()`, which builds a
 * whole diagnostic report: 7–10 ms, about three quarters of loading the binary, in every process
 * that reads a file with the native engine (`bench/startup.mjs`). The shortcut asks the cheaper
 * question napi-rs 3's loader asks first — does `/usr/bin/ldd` mention musl? — and requires the
 * binary the generated loader would: `ringstream.<platform>.node` beside it, else the
 * `ringstream-<platform>` package. Whenever that cannot be answered or that binary does not
 * load, the generated loader runs as before and has the last word, errors included.
 */
export function loadBinding(bindingPath: string): unknown {
  const load = createRequire(bindingPath)
  const platform = linuxPlatform()
  if (platform !== null) {
    const local = join(dirname(bindingPath), `ringstream.${platform}.node`)
    try {
      return existsSync(local) ? load(local) : load(`ringstream-${platform}`)
    } catch {
      // The generated loader below tries again, and its error is the one reported.
    }
  }
  return load(bindingPath)
}

/** The Linux builds the package ships (package.json `napi.triples`), in napi-rs's names. */
const LINUX_ARCHES: ReadonlySet<string> = new Set(['x64', 'arm64'])

/** `linux-x64-gnu` and the like for this process, or `null` where the quick check does not apply. */
function linuxPlatform(): string | null {
  if (process.platform !== 'linux' || !LINUX_ARCHES.has(process.arch)) return null
  let ldd: string
  try {
    ldd = readFileSync('/usr/bin/ldd', 'latin1')
  } catch {
    return null
  }
  return `linux-${process.arch}-${ldd.includes('musl') ? 'musl' : 'gnu'}`
}
