/** Renders a component into happy-dom with React's act(), for component tests. */
import { act, type ReactNode } from 'react'
import { createRoot, type Root } from 'react-dom/client'

;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

export interface Rendered {
  container: HTMLElement
  rerender(node: ReactNode): void
  unmount(): void
}

export function render(node: ReactNode): Rendered {
  const container = document.createElement('div')
  document.body.appendChild(container)
  let root: Root
  act(() => {
    root = createRoot(container)
    root.render(node)
  })
  return {
    container,
    rerender: (n) => act(() => root.render(n)),
    unmount: () => {
      act(() => root.unmount())
      container.remove()
    },
  }
}

/** Sets an input's value the way React notices, then fires input. */
export function typeInto(input: HTMLInputElement, value: string): void {
  // React tracks the value through the prototype's setter; assigning input.value would be ignored.
  const descriptor = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!
  act(() => {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to the input just below
    Reflect.apply(descriptor.set!, input, [value])
    input.setSelectionRange(value.length, value.length)
    input.dispatchEvent(new Event('input', { bubbles: true }))
  })
}

export function press(el: Element, key: string): void {
  act(() => {
    el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }))
  })
}
