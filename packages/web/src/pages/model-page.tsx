export function ModelPage(props: { name: string }): React.JSX.Element {
  return <main className="page">Model {props.name}</main>
}
