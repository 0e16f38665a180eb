export function ComparePage(props: { runIds: string[] }): React.JSX.Element {
  return <main className="page">Compare {props.runIds.join(', ')}</main>
}
