export function RunPage(props: { runId: string }): React.JSX.Element {
  return <main className="page">Run {props.runId}</main>
}
