/**
 * The size of `value` as JSON, in UTF-8 bytes, counted without building the string so a hostile
 * payload costs at most `limit` bytes of work. Returns undefined when the value is larger than
 * `limit`, nested deeper than `maxDepth`, cyclic, or not representable as JSON.
 */
export function jsonSizeWithin(value: unknown, limit: number, maxDepth = 64): number | undefined {
  let total = 0;
  const open = new Set<object>();

  const add = (n: number): boolean => {
    total += n;
    return total <= limit;
  };

  const visit = (v: unknown, depth: number): boolean => {
    switch (typeof v) {
      case 'string':
        // Cheap upper bound first: every UTF-16 unit is at most 6 bytes of escaped JSON.
        if (v.length > limit) return false;
        return add(Buffer.byteLength(JSON.stringify(v)));
      case 'number':
        return add(Number.isFinite(v) ? String(v).length : 4);
      case 'boolean':
        return add(v ? 4 : 5);
      case 'undefined':
        return add(4);
      case 'object': {
        if (v === null) return add(4);
        if (depth >= maxDepth || open.has(v)) return false;
        open.add(v);
        let ok = add(2);
        if (Array.isArray(v)) {
          for (let i = 0; ok && i < v.length; i++) ok = add(i > 0 ? 1 : 0) && visit(v[i], depth + 1);
        } else {
          let first = true;
          for (const key of Object.keys(v)) {
            ok = add((first ? 0 : 1) + Buffer.byteLength(JSON.stringify(key)) + 1) && visit((v as Record<string, unknown>)[key], depth + 1);
            first = false;
            if (!ok) break;
          }
        }
        open.delete(v);
        return ok;
      }
      default:
        // bigint, symbol, function: nothing a transport can carry as JSON.
        return false;
    }
  };

  return visit(value, 0) ? total : undefined;
}
