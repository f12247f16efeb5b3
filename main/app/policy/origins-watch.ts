/**
 * A page's CSP is fixed when it loads, so an account in a new region (or with a new endpoint) can
 * only be streamed from after a reload. This says when one is needed: only when an origin was
 * added; removing one leaves the old, wider policy harmlessly in place until the next load.
 */
export function originsAdded(before: readonly string[], after: readonly string[]): string[] {
  const known = new Set(before);
  return after.filter((o) => !known.has(o));
}
