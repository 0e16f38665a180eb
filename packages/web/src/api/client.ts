/**
 * The UI's one door to the server: the SDK's HttpClient (src/client/http.ts) calling the same
 * endpoint rows the server mounts, on the page's own origin. Never retried: a person is watching
 * and a failed request shows its message at once.
 */
import { HttpClient, type AnswerOf, type RequestOf } from '../../../../src/client/http.js'
import { CairnApiError } from '../../../../src/client/errors.js'
import { RegistryClient } from '../../../../src/client/registry.js'
import type { Endpoint } from '../../../../src/protocol/endpoint.js'

// The SDK calls its fetch as a method; a browser's fetch must be called on window.
export const http = new HttpClient({
  trackingUri: '',
  retry: { maxRetries: 0 },
  timeoutMs: 60_000,
  fetch: (input, init) => fetch(input, init),
})
export const registry = new RegistryClient(http)

export function call<E extends Endpoint>(endpoint: E, request: RequestOf<E>): Promise<AnswerOf<E>> {
  return http.call(endpoint, request, { retry: false })
}

/** The server's message for an error (its 400 text for a bad filter), else the error's own. */
export function errorMessage(err: unknown): string {
  if (err instanceof CairnApiError) return err.message
  if (err instanceof Error) return err.message
  return String(err)
}

export function isApiError(err: unknown, code?: string): err is CairnApiError {
  return err instanceof CairnApiError && (code === undefined || err.code === code)
}

/** MLflow's page token for an offset (base64 of `{"offset": N}`): lets the table fetch any page. */
export function pageTokenAt(offset: number): string {
  return offset === 0 ? '' : btoa(`{"offset": ${offset}}`)
}

/** Where a run's artifact file is downloaded from (MLflow's UI route). */
export function artifactUrl(runId: string, path: string): string {
  return `/get-artifact?path=${encodeURIComponent(path)}&run_uuid=${encodeURIComponent(runId)}`
}
