/**
 * The report as one self-contained HTML file: inline CSS, inline SVG charts and a few lines of
 * inline script (column filter); nothing is fetched, so it opens offline and from an artifact
 * download alike. The report's JSON is embedded too (`<script type="application/json">`).
 */
import type {
  ColumnDriftReport,
  DriftReport,
  MonitorReport,
  QualityReport,
  ReportCheck,
  ValidationReport,
} from './report-types.js'
import {
  CURRENT_COLOR,
  REFERENCE_COLOR,
  escapeHtml as esc,
  histogramSvg,
  seriesSvg,
  shortNumber,
} from './svg-charts.js'

const CSS = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.muted{color:#667}.card{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:14px 16px;margin:10px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.kv b{display:block;font-size:12px;color:#667;font-weight:500}.kv span{font-size:16px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.passed{background:#e3f4e6;color:#1d6b2c}.failed{background:#fde4e1;color:#a3271a}.skipped,.no_data{background:#eceff3;color:#4b5565}.error{background:#fff1d6;color:#8a5a00}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{font-size:12px;color:#556;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
details>summary{cursor:pointer;list-style:none}details>summary::-webkit-details-marker{display:none}
.col{border:1px solid #e1e4ea;border-radius:8px;background:#fff;margin:8px 0}.col>summary{display:grid;grid-template-columns:2fr 1fr 1.2fr 1fr 1fr 90px;gap:8px;padding:8px 12px;align-items:center}
.col .body{padding:4px 12px 12px;display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}.ax{font-size:10px;fill:#667}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;vertical-align:middle}.filters{display:flex;gap:16px;align-items:center;margin:8px 0}
input[type=search]{padding:5px 8px;border:1px solid #ccd;border-radius:6px;min-width:220px}.bar{height:8px;background:#eceff3;border-radius:4px;overflow:hidden;margin-top:6px}
.bar>div{height:100%}.head{display:grid;grid-template-columns:2fr 1fr 1.2fr 1fr 1fr 90px;gap:8px;padding:0 12px;font-size:12px;color:#556;font-weight:600}
`

const SCRIPT = `
(function(){var q=document.getElementById('q'),d=document.getElementById('drifted');if(!q)return;
function f(){var t=q.value.toLowerCase(),o=d.checked;document.querySelectorAll('[data-col]').forEach(function(e){
var show=(!t||e.getAttribute('data-col').toLowerCase().indexOf(t)>=0)&&(!o||e.getAttribute('data-drifted')==='true');e.style.display=show?'':'none'})}
q.addEventListener('input',f);d.addEventListener('change',f)})();
`

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : shortNumber(v))
const pct = (v: number): string => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`

function badge(status: string, text = status.replace('_', ' ')): string {
  return `<span class="badge ${esc(status)}">${esc(text)}</span>`
}

function kv(label: string, value: string): string {
  return `<div class="kv"><b>${esc(label)}</b><span>${value}</span></div>`
}

function checksHtml(checks: ReportCheck[]): string {
  if (checks.length === 0) return ''
  const rows = checks
    .map((c) => `<tr><td>${esc(c.check)}</td><td>${badge(c.status)}</td><td>${esc(c.message)}</td></tr>`)
    .join('')
  return `<h2>Checks</h2><table><thead><tr><th>Check</th><th>Result</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`
}

function verdict(c: ColumnDriftReport): string {
  if (c.drifted === null) return badge('skipped', 'not judged')
  return c.drifted ? badge('failed', 'drift') : badge('passed', 'no drift')
}

function columnHtml(c: ColumnDriftReport, open: boolean): string {
  const rule =
    c.statistic === 'p_value' ? `p-value &lt; ${fmt(c.threshold)}` : `distance ≥ ${fmt(c.threshold)}`
  const missing = c.missing
    ? `<div class="muted">missing: reference ${pct(c.missing.reference)}, current ${pct(c.missing.current)}</div>`
    : ''
  const chart = c.histogram ? histogramSvg(c.histogram) : '<p class="muted">No histogram for this column.</p>'
  return `<details class="col"${open ? ' open' : ''} data-col="${esc(c.column)}" data-drifted="${c.drifted === true}">
<summary><span><b>${esc(c.column)}</b></span><span class="muted">${esc(c.type)}</span><span>${esc(c.method)}</span>
<span class="num">${fmt(c.score)}</span><span class="muted">${rule}</span><span>${verdict(c)}</span></summary>
<div class="body"><div>${chart}<div class="legend muted"><i style="background:${REFERENCE_COLOR}"></i>reference<i style="background:${CURRENT_COLOR}"></i>current</div></div>
<div><div>${c.statistic === 'p_value' ? 'p-value' : 'distance'}: <b>${fmt(c.score)}</b></div><div>threshold: ${fmt(c.threshold)}</div>${missing}
${c.explanation ? `<p>${esc(c.explanation)}</p>` : ''}</div></div></details>`
}

function driftHtml(d: DriftReport): string {
  const color = d.datasetDrift ? '#e45756' : '#54a24b'
  const sorted = [...d.columns].sort(
    (a, b) => Number(b.drifted === true) - Number(a.drifted === true) || a.column.localeCompare(b.column),
  )
  return `<h2>Data drift</h2>
<div class="card"><div class="grid">
${kv('Dataset drift', d.datasetDrift ? badge('failed', 'detected') : badge('passed', 'not detected'))}
${kv('Drifted columns', `${d.drifted} of ${d.judged}`)}
${kv('Drift share', `${pct(d.share)} <span class="muted">(threshold ${pct(d.driftShare)})</span>`)}
</div><div class="bar"><div style="width:${Math.min(100, d.share * 100).toFixed(1)}%;background:${color}"></div></div></div>
<div class="filters"><input id="q" type="search" placeholder="Filter columns"><label><input id="drifted" type="checkbox"> drifted only</label></div>
<div class="head"><span>Column</span><span>Type</span><span>Method</span><span style="text-align:right">Score</span><span>Drift if</span><span>Verdict</span></div>
${sorted.map((c) => columnHtml(c, c.drifted === true || d.columns.length <= 8)).join('\n')}`
}

function qualityHtml(q: QualityReport): string {
  const rows = q.metrics
    .map((m) => {
      const bounds = [
        m.min !== undefined ? `≥ ${fmt(m.min)}` : '',
        m.max !== undefined ? `≤ ${fmt(m.max)}` : '',
      ]
        .filter((s) => s !== '')
        .join(' and ')
      const result =
        m.passed === null ? badge('skipped', 'not judged') : badge(m.passed ? 'passed' : 'failed')
      return `<tr><td>${esc(m.metric)}</td><td class="num">${fmt(m.value)}</td><td>${esc(bounds) || '—'}</td><td>${result}</td><td class="muted">${esc(m.explanation ?? '')}</td></tr>`
    })
    .join('')
  const names = q.metrics.map((m) => m.metric)
  return `<h2>Model quality (${esc(q.task)})</h2>
<div class="card"><div class="grid">${kv('Predictions', String(q.predictions))}${kv('With ground truth', String(q.labelled))}</div></div>
<table><thead><tr><th>Metric</th><th style="text-align:right">Value</th><th>Expected</th><th>Result</th><th></th></tr></thead><tbody>${rows}</tbody></table>
${q.series.length > 1 ? `<div class="card"><div><b>Sliding windows</b></div>${seriesSvg(q.series, names)}</div>` : ''}`
}

function validationHtml(v: ValidationReport): string {
  const rows = [...v.results]
    .sort((a, b) => Number(a.passed) - Number(b.passed))
    .map(
      (r) =>
        `<tr><td>${badge(r.passed ? 'passed' : 'failed')}</td><td>${esc(r.expectation)}</td><td>${esc(r.column ?? '')}</td><td>${esc(r.message)}</td></tr>`,
    )
    .join('')
  return `<h2>Data validation</h2>
<div class="card"><div class="grid">${kv('Result', badge(v.passed ? 'passed' : 'failed'))}${kv('Failed expectations', `${v.failures} <span class="muted">(tolerated: ${v.maxFailures})</span>`)}${kv('Expectations', String(v.results.length))}</div></div>
<table><thead><tr><th>Result</th><th>Expectation</th><th>Column</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table>`
}

/** The report's HTML page. */
export function renderReportHtml(r: MonitorReport): string {
  const window = r.window ? `${esc(r.window.start)} → ${esc(r.window.end)}` : '—'
  const version = r.model.version ? ` <span class="muted">version ${esc(r.model.version)}</span>` : ''
  // The JSON sits in a script element: "</" would end it early.
  const data = JSON.stringify(r).replace(/<\//g, '<\\/').replace(/<!--/g, '<\\!--')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(r.title)}</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(r.title)} ${badge(r.status)}</h1>
<div class="muted">generated ${esc(r.generatedAt)}${r.monitor ? ` · monitor <b>${esc(r.monitor)}</b>` : ''}</div>
<div class="card"><div class="grid">
${kv('Model', `${esc(r.model.uri)}${version}`)}
${kv('Window', window)}
${kv('Current data', `${esc(r.current.source)} <span class="muted">(${r.current.rows} rows)</span>`)}
${kv('Reference', `${esc(r.reference.source)} <span class="muted">(${r.reference.rows} rows)</span>`)}
</div></div>
${r.notes.length ? `<div class="card">${r.notes.map((n) => `<div>${esc(n)}</div>`).join('')}</div>` : ''}
${checksHtml(r.checks)}
${r.drift ? driftHtml(r.drift) : ''}
${r.quality ? qualityHtml(r.quality) : ''}
${r.validation ? validationHtml(r.validation) : ''}
</main>
<script type="application/json" id="report-data">${data}</script>
<script>${SCRIPT}</script>
</body></html>
`
}
