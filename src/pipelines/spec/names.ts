/** Name rules shared by normalization and validation. */

/** Pipeline and step names: also safe in Kubernetes object names once lower-cased. */
export const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/
/** Parameter, input, output and value names: usable in environment variable names. */
export const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Words a step may not be named: they mean something in references and conditions. */
export const RESERVED = new Set([
  'params',
  'item',
  'inputs',
  'outputs',
  'pipeline',
  'and',
  'or',
  'not',
  'in',
  'true',
  'false',
  'null',
])
