/** Cairn's version, reported by /version and `cairn --version`. */
export const CAIRN_VERSION = '0.1.0'
