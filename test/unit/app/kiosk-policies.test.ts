import { describe, expect, it } from 'vitest';
import { closeQuestion, createCloseGuard } from '../../../main/app/policy/close-guard';
import { createDisplayWake } from '../../../main/app/policy/display-wake';

describe('display wake', () => {
  function rig() {
    const calls: string[] = [];
    let next = 40;
    const wake = createDisplayWake({ block: () => (calls.push(`block ${++next}`), next), unblock: (id) => calls.push(`unblock ${id}`) });
    return { calls, wake };
  }

  it('blocks display sleep once while any tile plays, and lets go when none does', () => {
    const { calls, wake } = rig();
    wake.tileState('w1', 'a:0', 'acquiring');
    wake.tileState('w1', 'a:0', 'waiting');
    expect(calls).toEqual([]);
    wake.tileState('w1', 'a:0', 'granted');
    wake.tileState('w1', 'a:1', 'granted');
    wake.tileState('w2', 'a:0', 'renewing');
    expect(calls).toEqual(['block 41']);
    wake.tileState('w1', 'a:0', 'released');
    wake.tileState('w1', 'a:1', 'error');
    expect(calls).toEqual(['block 41']);
    wake.tileState('w2', 'a:0', 'released');
    expect(calls).toEqual(['block 41', 'unblock 41']);
    expect(wake.playing).toBe(0);
  });

  it('forgets a closed window’s tiles (same tile id in another window still plays)', () => {
    const { calls, wake } = rig();
    wake.tileState('w1', 'a:0', 'granted');
    wake.tileState('w10', 'a:0', 'granted');
    wake.windowGone('w1');
    expect(wake.playing).toBe(1);
    wake.windowGone('w10');
    expect(calls).toEqual(['block 41', 'unblock 41']);
    wake.tileState('w1', 'a:0', 'granted');
    wake.dispose();
    expect(calls).toEqual(['block 41', 'unblock 41', 'block 42', 'unblock 42']);
  });
});

describe('close guard', () => {
  it('asks before a window closes, and closes only on yes', () => {
    const asked: string[] = [];
    let answer = false;
    const guard = createCloseGuard({ enabled: () => true, confirm: (what) => (asked.push(what), answer) });
    expect(guard.windowClosing()).toBe(false);
    answer = true;
    expect(guard.windowClosing()).toBe(true);
    expect(asked).toEqual(['close-window', 'close-window']);
  });

  it('asks once on quit; the windows it closes then are not asked about', () => {
    const asked: string[] = [];
    const guard = createCloseGuard({ enabled: () => true, confirm: (what) => (asked.push(what), true) });
    expect(guard.quitting()).toBe(true);
    expect(guard.windowClosing()).toBe(true);
    expect(guard.windowClosing()).toBe(true);
    expect(asked).toEqual(['quit']);
  });

  it('a refused quit keeps asking next time; switched off, nothing is asked', () => {
    const asked: string[] = [];
    let enabled = true;
    const guard = createCloseGuard({ enabled: () => enabled, confirm: (what) => (asked.push(what), false) });
    expect(guard.quitting()).toBe(false);
    expect(guard.windowClosing()).toBe(false);
    enabled = false;
    expect(guard.windowClosing()).toBe(true);
    expect(guard.quitting()).toBe(true);
    expect(asked).toEqual(['quit', 'close-window']);
  });

  it('does not ask about the quit that follows closing the last window', () => {
    const asked: string[] = [];
    const guard = createCloseGuard({ enabled: () => true, confirm: (what) => (asked.push(what), true) });
    expect(guard.windowClosing()).toBe(true);
    guard.confirmed();
    expect(guard.quitting()).toBe(true);
    expect(asked).toEqual(['close-window']);
  });

  it('words the question for what is closing', () => {
    expect(closeQuestion('quit').message).toBe('Quit KVS Wall?');
    expect(closeQuestion('close-window').detail).toMatch(/other windows keep playing/);
  });
});

describe('start at login', () => {
  it('starts again with this run’s kiosk arguments, which read back to the same options', async () => {
    const { loginItemFor } = await import('../../../main/app/policy/login-item');
    const { parseKioskArgs } = await import('../../../main/app/policy/kiosk-args');
    for (const options of [
      { wall: 'Loading dock', display: 2, fullscreen: true, kiosk: true },
      { wall: 'Lobby', fullscreen: true, kiosk: false },
      { fullscreen: false, kiosk: false },
    ]) {
      const item = loginItemFor(true, options);
      expect(item.openAtLogin).toBe(true);
      expect(parseKioskArgs(item.args)).toEqual({ ok: true, options });
    }
    expect(loginItemFor(false, { fullscreen: false, kiosk: false })).toEqual({ openAtLogin: false, args: [] });
  });
});
