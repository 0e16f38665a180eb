/** Environment variable names a step sees for its inputs, outputs, values and params. */

const up = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')

export const ENV = {
  input: (name: string): string => `CAIRN_INPUT_${up(name)}`,
  output: (name: string): string => `CAIRN_OUTPUT_${up(name)}`,
  value: (name: string): string => `CAIRN_VALUE_${up(name)}`,
  param: (name: string): string => `CAIRN_PARAM_${up(name)}`,
} as const
