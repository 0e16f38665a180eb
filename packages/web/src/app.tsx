/** The app shell: header with navigation and theme switch, and the page for the current path. */
import { lazy, Suspense, useEffect, useState } from 'react'
import { Link, navigate, useLocation } from './router.js'
import { ExperimentsPage } from './pages/experiments-page.js'
import { RunsPage } from './pages/runs-page.js'

// Pages a first visit does not need load on demand, keeping the first page's bundle small.
const RunPage = lazy(() => import('./pages/run-page.js').then((m) => ({ default: m.RunPage })))
const ComparePage = lazy(() => import('./pages/compare-page.js').then((m) => ({ default: m.ComparePage })))
const ModelsPage = lazy(() => import('./pages/models-page.js').then((m) => ({ default: m.ModelsPage })))
const ModelPage = lazy(() => import('./pages/model-page.js').then((m) => ({ default: m.ModelPage })))
const PipelinesPage = lazy(() =>
  import('./pages/pipelines-page.js').then((m) => ({ default: m.PipelinesPage })),
)
const PipelineRunPage = lazy(() =>
  import('./pages/pipeline-run-page.js').then((m) => ({ default: m.PipelineRunPage })),
)

const MonitoringPage = lazy(() =>
  import('./pages/monitoring-page.js').then((m) => ({ default: m.MonitoringPage })),
)
const MonitorPage = lazy(() => import('./pages/monitoring-page.js').then((m) => ({ default: m.MonitorPage })))

type Theme = 'light' | 'dark'

function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() =>
    document.documentElement.dataset['theme'] === 'dark' ? 'dark' : 'light',
  )
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme
    try {
      localStorage.setItem('cairn.theme', theme)
    } catch {
      // Private windows may refuse storage; the theme still applies to this page.
    }
  }, [theme])
  return [theme, () => setTheme(theme === 'dark' ? 'light' : 'dark')]
}

function Page(): React.JSX.Element {
  const { path, query } = useLocation()
  let m: RegExpExecArray | null
  if (path === '/' || path === '/experiments') return <ExperimentsPage />
  if ((m = /^\/experiments\/([^/]+)$/.exec(path))) {
    navigate(`/runs?e=${m[1]}`, { replace: true })
    return <></>
  }
  if (path === '/runs') return <RunsPage />
  if ((m = /^\/runs\/([^/]+)$/.exec(path))) return <RunPage runId={decodeURIComponent(m[1]!)} />
  if (path === '/compare')
    return <ComparePage runIds={(query.get('runs') ?? '').split(',').filter(Boolean)} />
  if (path === '/pipelines') return <PipelinesPage />
  if ((m = /^\/pipelines\/runs\/([^/]+)$/.exec(path)))
    return <PipelineRunPage runId={decodeURIComponent(m[1]!)} />
  if (path === '/monitoring') return <MonitoringPage />
  if ((m = /^\/monitoring\/([^/]+)$/.exec(path))) return <MonitorPage name={decodeURIComponent(m[1]!)} />
  if (path === '/models') return <ModelsPage />
  if ((m = /^\/models\/(.+)$/.exec(path))) return <ModelPage name={decodeURIComponent(m[1]!)} />
  return (
    <main className="page">
      <h1>Not found</h1>
      <p>
        Nothing at <code>{path}</code>. <Link to="/">Experiments</Link>
      </p>
    </main>
  )
}

export function App(): React.JSX.Element {
  const [theme, toggle] = useTheme()
  const { path } = useLocation()
  const section = path.startsWith('/models')
    ? 'models'
    : path.startsWith('/pipelines')
      ? 'pipelines'
      : path.startsWith('/monitoring')
        ? 'monitoring'
        : 'experiments'
  return (
    <>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand" aria-label="Cairn home">
          <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
            <g fill="currentColor">
              <ellipse cx="16" cy="27" rx="12" ry="4" />
              <ellipse cx="16" cy="19" rx="9" ry="3.5" />
              <ellipse cx="16" cy="12" rx="6.5" ry="3" />
              <ellipse cx="16" cy="6" rx="4" ry="2.5" />
            </g>
          </svg>
          Cairn
        </Link>
        <nav aria-label="Main">
          <Link to="/" aria-current={section === 'experiments' ? 'page' : undefined}>
            Experiments
          </Link>
          <Link to="/models" aria-current={section === 'models' ? 'page' : undefined}>
            Models
          </Link>
          <Link to="/pipelines" aria-current={section === 'pipelines' ? 'page' : undefined}>
            Pipelines
          </Link>
          <Link to="/monitoring" aria-current={section === 'monitoring' ? 'page' : undefined}>
            Monitoring
          </Link>
        </nav>
        <span className="spacer" />
        <button
          type="button"
          className="theme-toggle"
          onClick={toggle}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <div id="content">
        <Suspense fallback={<p className="page muted">Loading…</p>}>
          <Page />
        </Suspense>
      </div>
    </>
  )
}
