/**
 * Spaces out player starts across the page. Measured (live-dash prototype, and our wall benchmark):
 * 16 loads at once each wait 0.5–1 s for the burst of requests and decoder set-ups; one at a time,
 * 100 ms apart, each shows video ≈120 ms after its own load but the last tile waits 1.6 s for its
 * turn. A few starts in flight with a short gap keep each start fast without the long queue, and
 * still spread session, manifest and fragment requests against KVS's per-stream quotas.
 */
export class StartQueue {
  private readonly waiting: Array<{ resolve: (release: () => void) => void; signal: AbortSignal | undefined }> = [];
  private inFlight = 0;
  private lastStart = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly spacingMs: number,
    private readonly maxInFlight: number,
  ) {}

  /**
   * Resolves with a release function when it is this caller's turn to start; call it once the player
   * shows its first frame or gives up. A caller that aborts while waiting gets a release that holds
   * nothing, and its turn goes to the next.
   */
  turn(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({ resolve, signal });
      this.pump();
    });
  }

  private pump(): void {
    clearTimeout(this.timer);
    while (this.waiting[0]?.signal?.aborted) this.waiting.shift()!.resolve(() => undefined);
    if (this.waiting.length === 0 || this.inFlight >= this.maxInFlight) return;
    const wait = this.lastStart + this.spacingMs - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.pump(), wait);
      return;
    }
    const next = this.waiting.shift()!;
    this.inFlight += 1;
    this.lastStart = performance.now();
    let released = false;
    next.resolve(() => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.pump();
    });
    this.pump();
  }
}

const params = new URLSearchParams(globalThis.location?.search ?? '');

/** The page-wide queue every tile player starts through (overridable from the URL for the benchmark). */
export const playerStarts = new StartQueue(Number(params.get('stagger') ?? 25), Number(params.get('parallel') ?? 4));
