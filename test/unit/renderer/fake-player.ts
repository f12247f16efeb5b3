import type { Grant } from '../../../shared/model';
import type { PlayerPhase } from '../../../renderer/src/player/tile-phase';
import type { TilePlayerEvents } from '../../../renderer/src/player/tile-player';
import { UsageMeter, type SessionUsage } from '../../../renderer/src/player/usage-meter';
import type { TilePlayerLike } from '../../../renderer/src/tiles/tile-session';

/**
 * A player without a <video>: it keeps what a real one would (the session it plays, whether its
 * network is stopped, a real usage meter) and lets a test play out requests, refusals and throttles.
 */
export class FakePlayer implements TilePlayerLike {
  readonly grants: Grant[] = [];
  /** Sessions loaded: a grant for the session already playing loads nothing (as TilePlayer does). */
  readonly loads: string[] = [];
  networkStopped = false;
  destroyed = false;
  readonly log: string[];
  readonly meter = new UsageMeter();
  /** Destroy resolves only when the test says so: teardown is asynchronous in the real player. */
  finishDestroy!: () => void;
  private readonly destroyDone = new Promise<void>((resolve) => (this.finishDestroy = resolve));

  constructor(
    readonly events: TilePlayerEvents,
    log: string[],
  ) {
    this.log = log;
  }

  get sessionId(): string | undefined {
    return this.grants.at(-1)?.sessionId;
  }

  /** The stream named with each grant (`accountId/streamName`). */
  readonly streams: Array<string | undefined> = [];

  play(grant: Grant, stream?: string): void {
    const same = this.sessionId === grant.sessionId;
    this.grants.push(grant);
    this.streams.push(stream);
    if (!same) this.loads.push(grant.sessionId);
  }

  setMuted(): void {}
  setVisible(): void {}

  currentPhase(): PlayerPhase {
    return { kind: 'connecting' };
  }

  takeUsage(): SessionUsage[] {
    return this.meter.take();
  }

  stopNetwork(): void {
    this.networkStopped = true;
    this.log.push('stopNetwork');
  }

  destroy(): Promise<void> {
    this.destroyed = true;
    this.log.push('destroy');
    return this.destroyDone;
  }

  /** The player fetched from its session. */
  fetch(kind: 'manifests' | 'inits' | 'fragments', times = 1): void {
    for (let i = 0; i < times; i++) this.meter.request(this.sessionId!, kind);
  }
}
