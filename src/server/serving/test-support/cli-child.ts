/**
 * The `cairn` CLI from the TypeScript sources, for tests that need it as a real process (signals,
 * exit codes, its stdout): `node --import tsx cli-child.ts serve …`. For tests and benches only.
 */
import { main } from '../../../cli/main.js'

process.exitCode = await main(process.argv)
