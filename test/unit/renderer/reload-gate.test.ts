import { describe, expect, it, vi } from 'vitest';
import { ReloadGate } from '../../../renderer/src/app/reload-gate';

describe('reload gate', () => {
  it('reloads at once when no panel is open', () => {
    const reload = vi.fn();
    const gate = new ReloadGate(reload);
    gate.request();
    expect(reload).toHaveBeenCalledTimes(1);
    gate.request();
    gate.wallChanged();
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('waits while a panel is open, and reloads when it closes', () => {
    const reload = vi.fn();
    const gate = new ReloadGate(reload);
    gate.setBusy(true);
    gate.request();
    expect(reload).not.toHaveBeenCalled();
    expect(gate.pending).toBe(true);
    gate.setBusy(true);
    expect(reload).not.toHaveBeenCalled();
    gate.setBusy(false);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(gate.pending).toBe(false);
  });

  it('reloads when the wall changes while a reload waits, even with the panel open', () => {
    const reload = vi.fn();
    const gate = new ReloadGate(reload);
    gate.setBusy(true);
    gate.wallChanged();
    expect(reload).not.toHaveBeenCalled();
    gate.request();
    gate.wallChanged();
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
