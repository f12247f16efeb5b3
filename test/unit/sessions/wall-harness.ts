import { createSessionBroker, type AcquireResult, type BrokerConfig, type BrokerEventMap, type SessionBroker } from '../../../main/sessions';
import type { Grant, Playback, StreamRef } from '../../../shared/model';
import { FakeClock, type ScopedClock } from './fake-clock';
import { FakeKvs, type FakeKvsOptions } from './fake-kvs';
import { MemoryLedgerFile } from './memory-ledger-store';
import { seededRandom } from './prng';

export interface HarnessTile {
  tileId: string;
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
  config: BrokerConfig;
  kvs?: FakeKvsOptions;
  /** Play the renderer's part: report a 403 when the tile's session is revoked. */
  reportRevocations?: boolean;
}

/**
 * The renderer side of the wall, for tests: keeps each tile's current grant from acquire answers and
 * 'renewed' events, and records every moment a tile that wants video sits on a dead session.
 */
export class WallHarness {
  readonly clock = new FakeClock();
  readonly kvs: FakeKvs;
  readonly file = new MemoryLedgerFile();
  readonly random: () => number;
  readonly tiles = new Map<string, HarnessTile>();
  readonly violations: string[] = [];
  readonly states: Array<BrokerEventMap['state'] & { at: number }> = [];
  readonly budgets: Array<BrokerEventMap['budget']> = [];
  /** Seconds a session had left when its replacement arrived. */
  readonly swapMargins: number[] = [];
  readonly waits: number[] = [];
  renewedEvents = 0;
  broker!: SessionBroker;
  private scope!: ScopedClock;
  private crashStore: () => void = () => {};
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly options: HarnessOptions) {
    this.random = seededRandom(options.seed);
    this.kvs = new FakeKvs(this.clock, options.kvs);
    this.kvs.onRevoke((s) => {
      if (s.owner !== 'broker') return;
      for (const tile of this.tiles.values()) {
        if (!tile.wants || !tile.grant || this.kvs.sessionOf(tile.grant.url) !== s) continue;
        if (this.options.reportRevocations) {
          const { tileId } = tile;
          const sessionId = tile.grant.sessionId;
          // The player notices on its next manifest fetch.
          this.clock.setTimeout(() => this.broker.reportFailure(tileId, sessionId, 403), 1000);
        } else {
          this.violations.push(`${this.at()}: ${tile.tileId}'s session was revoked by ${s.revokedBy}`);
        }
      }
    });
  }

  async start(config: BrokerConfig = this.options.config): Promise<SessionBroker> {
    this.scope = this.clock.scope();
    const handle = this.file.handle();
    this.crashStore = handle.crash;
    this.broker = await createSessionBroker({
      clock: this.scope,
      issuer: this.kvs.issuer,
      ledgerStore: handle,
      config: () => config,
      random: this.random,
    });
    this.unsubscribe = [
      this.broker.on('renewed', (p) => this.receive(p.tileId, p.grant, true)),
      this.broker.on('state', (p) => this.states.push({ ...p, at: this.clock.now() })),
      this.broker.on('budget', (p) => this.budgets.push(p)),
    ];
    return this.broker;
  }

  /** The process dies: its timers stop, its pending writes never land, its events reach no one. */
  crash(): void {
    this.scope.kill();
    this.crashStore();
    for (const off of this.unsubscribe) off();
    for (const tile of this.tiles.values()) tile.grant = undefined;
  }

  acquire(tileId: string, stream: StreamRef, playback: Playback): Promise<AcquireResult> {
    const tile: HarnessTile = { tileId, stream, playback, wants: true, grants: 0, roomChecks: 0 };
    const previous = this.tiles.get(tileId);
    if (previous) previous.wants = false;
    this.tiles.set(tileId, tile);
    const broker = this.broker;
    return broker.acquire(tileId, stream, playback).then((answer) => {
      if (this.tiles.get(tileId) !== tile || broker !== this.broker) return answer;
      if (answer.status === 'granted') this.receive(tileId, answer.grant, false);
      else if (answer.status === 'waiting') tile.waitingSince ??= this.clock.now();
      return answer;
    });
  }

  /** Acquires and lets virtual time run until the broker answers (at most `maxMs`). */
  async acquireSettled(tileId: string, stream: StreamRef, playback: Playback, maxMs = 60_000): Promise<AcquireResult> {
    return this.settle(this.acquire(tileId, stream, playback), maxMs);
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

  statesOf(tileId: string): string[] {
    return this.states.filter((s) => s.tileId === tileId).map((s) => s.state);
  }

  async release(tileId: string): Promise<void> {
    const tile = this.tiles.get(tileId);
    if (tile) tile.wants = false;
    this.tiles.delete(tileId);
    await this.broker.release(tileId);
  }

  /** Every `everyMs`, a stream with room for a new tile (by the broker's own rule, with a slot to spare) must not keep tiles waiting. */
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
          this.violations.push(`${this.at()}: ${tile.tileId} waits although ${tile.stream.streamName} has room`);
          tile.roomChecks = 0;
        }
      }
      this.clock.setTimeout(check, everyMs);
    };
    this.clock.setTimeout(check, everyMs);
  }

  private receive(tileId: string, grant: Grant, viaEvent: boolean): void {
    const tile = this.tiles.get(tileId);
    if (!tile || !tile.wants) return;
    if (viaEvent) this.renewedEvents++;
    const now = this.clock.now();
    if (tile.grant) {
      const old = this.kvs.sessionOf(tile.grant.url);
      if (old && old.revokedAt === undefined) this.swapMargins.push((old.expiresAt - now) / 1000);
    } else if (tile.waitingSince !== undefined) {
      this.waits.push((now - tile.waitingSince) / 1000);
      tile.waitingSince = undefined;
    }
    if (!this.kvs.isActive(grant.url)) this.violations.push(`${this.at()}: ${tileId} was handed a dead session`);
    tile.grant = grant;
    tile.grants++;
    const session = this.kvs.sessionOf(grant.url);
    if (!session) {
      this.violations.push(`${this.at()}: ${tileId} got a URL KVS never issued`);
      return;
    }
    // When KVS expires this session, the tile must already have moved on.
    this.clock.setTimeout(() => {
      if (tile.wants && tile.grant === grant && this.tiles.get(tileId) === tile && !this.options.reportRevocations) {
        this.violations.push(`${this.at()}: ${tileId} sat on an expired session`);
      }
    }, session.expiresAt - now);
  }

  private at(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
