export function ModelsPage(): React.JSX.Element {
  return <main className="page">Models</main>
}
