/**
 * A small least-recently-used cache; Map keeps insertion order, so the first key is the stalest. Each
 * entry weighs 1 unless a `weigh` function says otherwise (bytes, for a cache bounded by memory); the
 * stalest entries go until the total is within the capacity again.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();
  private total = 0;

  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The summed weight of the entries held. */
  get weight(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    // A value heavier than the whole cache would only push everything else out, and then itself.
    if (weight > this.capacity) return;
    this.entries.set(key, value);
    this.total += weight;
    while (this.total > this.capacity) {
      const stalest = this.entries.keys().next();
      if (stalest.done) break;
      this.delete(stalest.value);
    }
  }

  private delete(key: K): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.total -= this.weigh(value);
  }
}
