/**
 * The `cairn` command from this checkout's sources, so the example needs no build:
 * `node --import tsx examples/sp500/cairn.ts server …` is `cairn server …`.
 */
import { main } from '../../src/cli/main.js'

process.exitCode = await main(process.argv)
