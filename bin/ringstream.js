#!/usr/bin/env node
'use strict'
// The `ringstream` command: the CLI is built by tsup (npm run build) into dist/cli.js.
try {
  require.resolve('../dist/cli.js')
} catch {
  process.stderr.write('ringstream: the command is not built yet; run `npm run build` in the package folder\n')
  process.exit(1)
}
require('../dist/cli.js')
