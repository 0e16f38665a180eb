// Prints the gzipped size of what the first page loads (index.html's scripts and styles, and
// their static imports) and fails the build past the 500 KB budget of issue 6.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const dist = fileURLToPath(new URL('../../../dist/ui', import.meta.url))
const BUDGET = 500 * 1024
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const seen = new Set<string>()
const queue: string[] = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!)
let total = 0
const rows: string[] = []
while (queue.length > 0) {
  const file = queue.shift()!
  if (seen.has(file)) continue
  seen.add(file)
  const body = readFileSync(join(dist, file))
  const gz = gzipSync(body, { level: 9 }).length
  total += gz
  rows.push(`${file}  ${(body.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`)
  // Static imports only: lazy pages (import()) are not part of the first page.
  for (const m of body
    .toString()
    .matchAll(/(?:^|[;}\s])import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+\.js)["']/g))
    queue.push(`assets/${m[1]}`)
}
const all = readdirSync(join(dist, 'assets')).length
console.log(rows.join('\n'))
console.log(
  `first page: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB); ${all} files in assets/`,
)
if (total > BUDGET) {
  console.error('first-page JavaScript and CSS exceed the budget')
  process.exit(1)
}
