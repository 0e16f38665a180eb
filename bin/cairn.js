#!/usr/bin/env node
// The `cairn` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import { main } from '../dist/cli/main.js'

main(process.argv).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code
  },
  (err) => {
    process.stderr.write(`cairn: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  },
)
