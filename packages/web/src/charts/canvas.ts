/** A canvas sized to its element in device pixels, and the theme's colors read from CSS. */
import { useEffect, useRef, useState } from 'react'

export interface Size {
  width: number
  height: number
}

export function useCanvasSize(): [React.RefObject<HTMLCanvasElement | null>, Size] {
  const ref = useRef<HTMLCanvasElement>(null)
  const [size, setSize] = useState<Size>({ width: 0, height: 0 })
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const ro = new ResizeObserver(() => {
      const r = el.getBoundingClientRect()
      setSize((s) =>
        s.width === Math.round(r.width) && s.height === Math.round(r.height)
          ? s
          : { width: Math.round(r.width), height: Math.round(r.height) },
      )
    })
    ro.observe(el)
    return () => ro.disconnect()
  }, [])
  return [ref, size]
}

/** A 2D context scaled for the device's pixel ratio; null before layout. */
export function prepare(canvas: HTMLCanvasElement | null, size: Size): CanvasRenderingContext2D | null {
  if (!canvas || size.width === 0) return null
  const dpr = window.devicePixelRatio || 1
  canvas.width = Math.round(size.width * dpr)
  canvas.height = Math.round(size.height * dpr)
  const ctx = canvas.getContext('2d')
  if (!ctx) return null
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.clearRect(0, 0, size.width, size.height)
  return ctx
}

export function themeColors(): { fg: string; muted: string; grid: string; bg: string } {
  const s = getComputedStyle(document.documentElement)
  const v = (name: string, fallback: string): string => s.getPropertyValue(name).trim() || fallback
  return {
    fg: v('--fg', '#222'),
    muted: v('--muted', '#777'),
    grid: v('--grid', '#e5e5e5'),
    bg: v('--bg', '#fff'),
  }
}
