import { describe, expect, it } from 'vitest';
import { followAccountIdentities } from '../../../main/account-sessions';
import type { AccountChange } from '../../../main/accounts';
import { silentLogger } from '../../../main/core/logger';
import type { AccountSummary, Playback, StreamRef } from '../../../shared/model';
import { WallHarness } from './wall-harness';

const cam: StreamRef = { accountId: 'acc1', streamName: 'lobby' };
const other: StreamRef = { accountId: 'acc2', streamName: 'lobby' };
const LIVE: Playback = { mode: 'LIVE' };

describe('an account whose identity changed', () => {
  it('renews its tiles make-before-break, offers none of its old sessions again, and keeps counting them', async () => {
    const h = new WallHarness({ seed: 91, config: { expiresSeconds: 1800, reservePerStream: 0 } });
    await h.start();
    await h.settle(Promise.all([h.acquire('wall:0', cam, LIVE), h.acquire('wall:1', cam, LIVE), h.acquire('wall:2', other, LIVE)]));
    h.releaseNow('wall:1');
    const before = { a: h.tiles.get('wall:0')!.grant!.sessionId, b: h.tiles.get('wall:2')!.grant!.sessionId };
    expect(h.service.budget(cam)).toMatchObject({ used: 2, pooled: 1 });

    h.service.accountChanged('acc1');
    await h.clock.advance(5_000);
    // The playing tile has a new session; the old one played until the new one arrived.
    expect(h.tiles.get('wall:0')!.grant!.sessionId).not.toBe(before.a);
    expect(h.renewedEvents).toBe(1);
    expect(h.service.budget(cam)).toMatchObject({ used: 3, pooled: 0 });
    // A new tile of the account gets a new session too, not the old free one.
    await h.acquireSettled('wall:1', cam, LIVE);
    expect(h.kvs.stats.brokerCalls).toBe(3 + 2);
    // Other accounts are left alone.
    expect(h.tiles.get('wall:2')!.grant!.sessionId).toBe(before.b);
    expect(h.violations).toEqual([]);
  });
});

describe('following account identities', () => {
  function accountsDouble(initial: AccountSummary[]) {
    const byId = new Map(initial.map((a) => [a.id, a]));
    const listeners = new Set<(c: AccountChange) => void>();
    return {
      api: {
        list: async () => [...byId.values()],
        get: async (id: string) => {
          const a = byId.get(id);
          if (!a) throw new Error('gone');
          return a;
        },
        onChange: (l: (c: AccountChange) => void) => {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      },
      change(id: string, patch: Partial<AccountSummary> | 'removed') {
        if (patch === 'removed') byId.delete(id);
        else byId.set(id, { ...byId.get(id)!, ...patch });
        for (const l of listeners) l({ accountId: id, change: patch === 'removed' ? 'removed' : 'updated' });
      },
    };
  }

  it('renews on a new region, endpoint, key or role, and on removal — not on a rename', async () => {
    const base: AccountSummary = { id: 'acc1', kind: 'aws', name: 'Ops', region: 'eu-west-1', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', hasSessionToken: false };
    const accounts = accountsDouble([base]);
    const changed: string[] = [];
    const follow = followAccountIdentities({ accounts: accounts.api, logger: silentLogger, onIdentityChanged: (id) => changed.push(id) });
    await follow.ready;
    const settle = () => new Promise((r) => setTimeout(r, 5));

    accounts.change('acc1', { name: 'Ops renamed' });
    await settle();
    expect(changed).toEqual([]);
    accounts.change('acc1', { region: 'us-east-1' });
    await settle();
    accounts.change('acc1', { accessKeyId: 'AKIABBBBBBBBBBBBBBBB' });
    await settle();
    accounts.change('acc1', { roleArn: 'arn:aws:iam::123456789012:role/Viewer' });
    await settle();
    accounts.change('acc1', { hasSessionToken: true });
    await settle();
    expect(changed).toEqual(['acc1', 'acc1', 'acc1']);
    accounts.change('acc1', 'removed');
    await settle();
    expect(changed).toEqual(['acc1', 'acc1', 'acc1', 'acc1']);
    follow.close();
  });

  it('takes a change that says whether the identity changed at its word', async () => {
    const listeners = new Set<(c: AccountChange) => void>();
    const changed: string[] = [];
    const follow = followAccountIdentities({
      accounts: { list: async () => [], get: async () => Promise.reject(new Error('not asked')), onChange: (l) => (listeners.add(l), () => listeners.delete(l)) },
      logger: silentLogger,
      onIdentityChanged: (id) => changed.push(id),
    });
    await follow.ready;
    const emit = (c: AccountChange & { identityChanged: boolean }) => listeners.forEach((l) => l(c));
    emit({ accountId: 'a', change: 'updated', identityChanged: false });
    emit({ accountId: 'b', change: 'updated', identityChanged: true });
    emit({ accountId: 'c', change: 'removed', identityChanged: true });
    expect(changed).toEqual(['b', 'c']);
    follow.close();
  });
});
