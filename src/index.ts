/** The `cairn` package: the TypeScript SDK, and the server for embedding. */
export { CAIRN_VERSION } from './version.js'
