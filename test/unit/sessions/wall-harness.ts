import { createSessionService, type AcquireOptions, type AcquireResult, type SessionConfig, type SessionEventMap, type SessionService, type TileAddress } from '../../../main/sessions';
import type { Grant, Playback, StreamRef } from '../../../shared/model';
import { FakeClock, type ScopedClock } from './fake-clock';
import { FakeKvs, type FakeKvsOptions } from './fake-kvs';
import { MemoryLedgerFile, MemoryPoolFile } from './memory-files';
import { seededRandom } from './prng';

export interface HarnessTile {
  /** The harness's name for it: `t1` (window w1) or `w2/t1`. */
  name: string;
  stream: StreamRef;
  playback: Playback;
  wants: boolean;
  grant?: Grant;
  grants: number;
  waitingSince?: number;
  /** Consecutive checks that found room on the stream while this tile had no session. */
  roomChecks: number;
}

export interface HarnessOptions {
  seed: number;
  config: SessionConfig;
  kvs?: FakeKvsOptions;
  /** Play the renderer's part: report a 403 when the tile's session is revoked. */
  reportRevocations?: boolean;
  /** Accounts whose sessions are void at each start (the demo cameras). */
  voidAccounts?: readonly string[];
  /** Persist the pool across restarts (false: as with no keychain). */
  persistPool?: boolean;
  /** false: the churn benchmark's naive client, no tile served from the pool. */
  reuse?: false;
}

/** `t1` is tile t1 of window w1; `w2/t1` names the window too. */
export function addressOf(name: string): TileAddress {
  const slash = name.indexOf('/');
  return slash < 0 ? { windowId: 'w1', tileId: name } : { windowId: name.slice(0, slash), tileId: name.slice(slash + 1) };
}

function nameOf(windowId: string, tileId: string): string {
  return windowId === 'w1' ? tileId : `${windowId}/${tileId}`;
}

/**
 * The renderer side of the wall, for tests: keeps each tile's current grant from acquire answers and
 * 'renewed' events, and records every moment a tile that wants video sits on a dead session.
 */
export class WallHarness {
  readonly clock = new FakeClock();
  readonly kvs: FakeKvs;
  readonly file = new MemoryLedgerFile();
  readonly poolFile = new MemoryPoolFile();
  readonly random: () => number;
  readonly tiles = new Map<string, HarnessTile>();
  readonly violations: string[] = [];
  readonly states: Array<SessionEventMap['state'] & { at: number }> = [];
  readonly budgets: Array<SessionEventMap['budget']> = [];
  /** Seconds a session had left when its replacement arrived. */
  readonly swapMargins: number[] = [];
  readonly waits: number[] = [];
  renewedEvents = 0;
  /** Grants of a session some tile had been handed before: served from the pool, with no KVS call. */
  reusedGrants = 0;
  private readonly handedOut = new Set<string>();
  service!: SessionService;
  private scope!: ScopedClock;
  private crashStores: Array<() => void> = [];
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly options: HarnessOptions) {
    this.random = seededRandom(options.seed);
    this.kvs = new FakeKvs(this.clock, options.kvs);
    this.kvs.onRevoke((s) => {
      if (s.owner !== 'broker') return;
      for (const tile of this.tiles.values()) {
        if (!tile.wants || !tile.grant || this.kvs.sessionOf(tile.grant.url) !== s) continue;
        if (this.options.reportRevocations) {
          const { name } = tile;
          const sessionId = tile.grant.sessionId;
          // The player notices on its next manifest fetch.
          this.clock.setTimeout(() => this.service.reportFailure(addressOf(name), { sessionId, httpStatus: 403 }), 1000);
        } else {
          this.violations.push(`${this.at()}: ${tile.name}'s session was revoked by ${s.revokedBy}`);
        }
      }
    });
  }

  /** The service as it was called before tiles had windows: `broker.acquire('t1', …)`. */
  get broker() {
    const service = this.service;
    return {
      acquire: (name: string, stream: StreamRef, playback: Playback) => service.acquire(addressOf(name), stream, playback),
      release: async (name: string) => service.release(addressOf(name)),
      reportFailure: (name: string, sessionId: string, httpStatus: number) => service.reportFailure(addressOf(name), { sessionId, httpStatus }),
      onResume: () => service.onResume(),
      budget: (stream: StreamRef) => service.budget(stream),
      dispose: () => service.dispose(),
    };
  }

  async start(config: SessionConfig = this.options.config): Promise<SessionService> {
    this.scope = this.clock.scope();
    const ledger = this.file.handle();
    const pool = this.poolFile.handle();
    this.crashStores = [ledger.crash, pool.crash];
    this.service = await createSessionService({
      clock: this.scope,
      issuer: this.kvs.issuer,
      ledgerStore: ledger,
      ...(this.options.persistPool === false ? {} : { poolStore: pool }),
      config: () => config,
      random: this.random,
      ...(this.options.voidAccounts ? { voidAccounts: this.options.voidAccounts } : {}),
      ...(this.options.reuse === false ? { reuse: false } : {}),
    });
    this.unsubscribe = [
      this.service.on('renewed', (p) => this.receive(nameOf(p.windowId, p.tileId), p.grant, true)),
      this.service.on('state', (p) => this.states.push({ ...p, at: this.clock.now() })),
      this.service.on('budget', (p) => this.budgets.push(p)),
    ];
    return this.service;
  }

  /** The process dies: its timers stop, its pending writes never land, its events reach no one. */
  crash(): void {
    this.scope.kill();
    for (const crash of this.crashStores) crash();
    for (const off of this.unsubscribe) off();
    for (const tile of this.tiles.values()) tile.grant = undefined;
  }

  /** A clean quit: the service saves everything, then the players stop. */
  async quit(): Promise<void> {
    await this.service.dispose();
    for (const off of this.unsubscribe) off();
    this.scope.kill();
    for (const tile of this.tiles.values()) tile.grant = undefined;
  }

  acquire(name: string, stream: StreamRef, playback: Playback, owner?: string, options: AcquireOptions = {}): Promise<AcquireResult> {
    const tile: HarnessTile = { name, stream, playback, wants: true, grants: 0, roomChecks: 0 };
    const previous = this.tiles.get(name);
    if (previous) previous.wants = false;
    this.tiles.set(name, tile);
    const service = this.service;
    return service.acquire(addressOf(name), stream, playback, owner, options).then((answer) => {
      if (this.tiles.get(name) !== tile || service !== this.service) return answer;
      if (answer.status === 'granted') this.receive(name, answer.grant, false);
      else if (answer.status === 'waiting') tile.waitingSince ??= this.clock.now();
      return answer;
    });
  }

  /** Acquires and lets virtual time run until the service answers (at most `maxMs`). */
  async acquireSettled(name: string, stream: StreamRef, playback: Playback, maxMs = 60_000, options: AcquireOptions = {}): Promise<AcquireResult> {
    return this.settle(this.acquire(name, stream, playback, undefined, options), maxMs);
  }

  /** Lets virtual time run until the promise settles (at most `maxMs`). */
  async settle<T>(promise: Promise<T>, maxMs = 60_000): Promise<T> {
    let settled = false;
    const done = promise.finally(() => {
      settled = true;
    });
    await this.clock.advanceUntil(() => settled, maxMs);
    if (!settled) throw new Error(`did not settle within ${maxMs} ms of virtual time`);
    return done;
  }

  statesOf(name: string): string[] {
    const { windowId, tileId } = addressOf(name);
    return this.states.filter((s) => s.windowId === windowId && s.tileId === tileId).map((s) => s.state);
  }

  async release(name: string): Promise<void> {
    this.releaseNow(name);
  }

  /** The renderer's teardown: synchronous, like the IPC call that follows it in order. */
  releaseNow(name: string): boolean {
    const tile = this.tiles.get(name);
    if (tile) tile.wants = false;
    this.tiles.delete(name);
    return this.service.release(addressOf(name));
  }

  /** Every `everyMs`, a stream with room for a new tile (by the service's own rule, with a slot to spare) must not keep tiles waiting. */
  watchForStarvation(budgetOf: (s: StreamRef) => number, everyMs = 5000): void {
    const check = () => {
      for (const tile of this.tiles.values()) {
        if (!tile.wants || tile.grant) {
          tile.roomChecks = 0;
          continue;
        }
        const room = this.kvs.activeCount(tile.stream, 'broker') <= budgetOf(tile.stream) - 3;
        tile.roomChecks = room ? tile.roomChecks + 1 : 0;
        if (tile.roomChecks >= 3) {
          this.violations.push(`${this.at()}: ${tile.name} waits although ${tile.stream.streamName} has room`);
          tile.roomChecks = 0;
        }
      }
      this.clock.setTimeout(check, everyMs);
    };
    this.clock.setTimeout(check, everyMs);
  }

  private receive(name: string, grant: Grant, viaEvent: boolean): void {
    const tile = this.tiles.get(name);
    if (!tile || !tile.wants) return;
    if (viaEvent) this.renewedEvents++;
    const now = this.clock.now();
    if (tile.grant?.sessionId === grant.sessionId) return;
    if (tile.grant) {
      const old = this.kvs.sessionOf(tile.grant.url);
      if (old && old.revokedAt === undefined) this.swapMargins.push((old.expiresAt - now) / 1000);
    } else if (tile.waitingSince !== undefined) {
      this.waits.push((now - tile.waitingSince) / 1000);
      tile.waitingSince = undefined;
    }
    if (!this.kvs.isActive(grant.url)) this.violations.push(`${this.at()}: ${name} was handed a dead session`);
    // Never two players on one URL.
    for (const other of this.tiles.values()) {
      if (other !== tile && other.wants && other.grant?.sessionId === grant.sessionId) this.violations.push(`${this.at()}: ${name} and ${other.name} were handed one session`);
    }
    tile.grant = grant;
    tile.grants++;
    if (this.handedOut.has(grant.sessionId)) this.reusedGrants++;
    this.handedOut.add(grant.sessionId);
    const session = this.kvs.sessionOf(grant.url);
    if (!session) {
      this.violations.push(`${this.at()}: ${name} got a URL KVS never issued`);
      return;
    }
    // When KVS expires this session, the tile must already have moved on.
    this.clock.setTimeout(() => {
      if (tile.wants && tile.grant === grant && this.tiles.get(name) === tile && !this.options.reportRevocations) {
        this.violations.push(`${this.at()}: ${name} sat on an expired session`);
      }
    }, session.expiresAt - now);
  }

  at(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
