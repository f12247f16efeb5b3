/**
 * A session's `$Number$` space: number 1 is the first fragment the session ever listed and a fragment
 * keeps its number for the session's life. Fragments are listed in timeline order, so numbers rise with
 * the timeline index; only the newest `capacity` pairs are kept, which bounds memory on long sessions.
 */
export class SequenceNumbers {
  private readonly byIndex = new Map<number, number>();
  private readonly byNumber = new Map<number, number>();
  private next = 1;
  private highestIndex = -1;

  constructor(private readonly capacity = 4096) {}

  /** The number of a listed fragment, assigning the next one if it is new to the session. */
  numberFor(index: number): number | undefined {
    const known = this.byIndex.get(index);
    if (known !== undefined) return known;
    // A fragment older than one already numbered was never listed; it can't join the sequence later.
    if (index < this.highestIndex) return undefined;
    const n = this.next++;
    this.byIndex.set(index, n);
    this.byNumber.set(n, index);
    this.highestIndex = index;
    this.trim();
    return n;
  }

  indexOf(number: number): number | undefined {
    return this.byNumber.get(number);
  }

  get size(): number {
    return this.byIndex.size;
  }

  private trim(): void {
    while (this.byIndex.size > this.capacity) {
      const oldest = this.byIndex.entries().next().value;
      if (!oldest) return;
      this.byIndex.delete(oldest[0]);
      this.byNumber.delete(oldest[1]);
    }
  }
}
