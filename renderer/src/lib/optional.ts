/** `{ key: value }` when value is defined, `{}` otherwise: optional fields stay absent, never `undefined`. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
