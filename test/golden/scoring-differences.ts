/**
 * Every scoring-server case where Cairn deliberately answers differently from MLflow 2.10.2,
 * keyed by case name, with Cairn's answer and a one-line reason; docs/mlflow-differences.md
 * ("Scoring server") lists the same for people. Everything not listed must match MLflow (status,
 * media type, error_code; messages are not compared).
 */
import { CAIRN_VERSION } from '../../src/version.js'
import type { Expectation } from './compare.js'
import { applyDifference, type Difference } from './difference-kit.js'
import { asGolden, type ScoringCase } from './scoring-replay.js'

const jsonError = (status: number, errorCode: string, reason: string): Difference => ({
  status,
  errorCode,
  reason,
})

const wrongMethod = (allow: string): Difference => ({
  ...jsonError(
    405,
    'ENDPOINT_NOT_FOUND',
    'a wrong method is a JSON 405 with an Allow header, not an HTML page',
  ),
  headers: { Allow: allow },
})

const noRoute = jsonError(404, 'ENDPOINT_NOT_FOUND', 'an unknown route is a JSON 404, not an HTML page')

const contentType = jsonError(
  415,
  'BAD_REQUEST',
  'a Content-Type the server cannot read is a JSON 415 naming the problem, not a plain-text one',
)

export const SCORING_DIFFERENCES: Record<string, Difference> = {
  version: {
    reason: "/version answers Cairn's version (bare text declared JSON, as MLflow answers its own)",
    response: { _raw: CAIRN_VERSION },
  },
  'ping wrong method POST': wrongMethod('GET, HEAD, OPTIONS'),
  'GET /invocations': wrongMethod('POST, OPTIONS'),
  'PUT /invocations': wrongMethod('POST, OPTIONS'),
  'POST /invocations/ (trailing slash)': noRoute,
  'unknown route GET': noRoute,
  'GET /': noRoute,
  'unknown route POST /predict': jsonError(
    400,
    'INVALID_PARAMETER_VALUE',
    "Cairn serves POST /predict (one row of named features): a body without the model's features is a 400 naming the missing ones",
  ),
  'Content-Type text/plain': contentType,
  'Content-Type application/json; charset=latin-1': contentType,
  'Content-Type application/json; format=pandas-split': contentType,
  'Content-Type application/x-www-form-urlencoded': contentType,
  'no Content-Type header': jsonError(
    415,
    'BAD_REQUEST',
    'a missing Content-Type is a JSON 415 saying so, not an unhandled 500 HTML page',
  ),
  'body not valid UTF-8': jsonError(
    400,
    'BAD_REQUEST',
    'a body that is not UTF-8 is a JSON 400, not an unhandled 500 HTML page',
  ),
  'Content-Type Application/JSON (upper case)': {
    reason: 'media types are case-insensitive (RFC 9110): the request is scored',
    status: 200,
    mediaType: 'application/json',
    response: { predictions: [1] },
  },
}

export function scoringExpectation(c: ScoringCase): { expectation: Expectation; difference?: Difference } {
  const difference = SCORING_DIFFERENCES[c.name]
  return { expectation: applyDifference(asGolden(c), difference), ...(difference ? { difference } : {}) }
}
