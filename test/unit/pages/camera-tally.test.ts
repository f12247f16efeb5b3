import { describe, expect, it } from 'vitest';
import { CameraTally, type CameraCounts } from '../../../main/pages/camera-tally';
import { trayMenuTemplate, trayTitle, trayTooltip, type TrayCommand } from '../../../main/app/policy/tray';
import { calls } from '../../../shared/contract';

describe('camera tally', () => {
  it('adds up every page, a newer report replacing the page’s older one', () => {
    const tally = new CameraTally();
    const heard: CameraCounts[] = [];
    tally.onChange((sum) => heard.push(sum));
    tally.report('p1', { live: 8, total: 9 });
    tally.report('p2', { live: 6, total: 7 });
    tally.report('p1', { live: 9, total: 9 });
    expect(tally.sum()).toEqual({ live: 15, total: 16 });
    expect(heard).toEqual([
      { live: 8, total: 9 },
      { live: 14, total: 16 },
      { live: 15, total: 16 },
    ]);
  });

  it('drops a page’s cameras when the page goes, and says nothing when the sum stands still', () => {
    const tally = new CameraTally();
    const heard: CameraCounts[] = [];
    const off = tally.onChange((sum) => heard.push(sum));
    tally.report('p1', { live: 3, total: 4 });
    tally.report('p2', { live: 0, total: 0 });
    tally.report('p1', { live: 3, total: 4 });
    tally.drop('p2');
    tally.drop('unknown');
    expect(heard).toEqual([{ live: 3, total: 4 }]);
    tally.drop('p1');
    expect(tally.sum()).toEqual({ live: 0, total: 0 });
    off();
    tally.report('p3', { live: 1, total: 1 });
    expect(heard).toEqual([{ live: 3, total: 4 }, { live: 0, total: 0 }]);
  });
});

describe('the tray’s words and menu', () => {
  it('says how many cameras play, over every window', () => {
    expect(trayTooltip({ live: 14, total: 16 })).toBe('KVS Wall — 14 of 16 cameras live');
    expect(trayTooltip({ live: 0, total: 1 })).toBe('KVS Wall — 0 of 1 camera live');
    expect(trayTooltip({ live: 0, total: 0 })).toBe('KVS Wall — no cameras on a wall');
    expect(trayTitle({ live: 14, total: 16 })).toBe('14/16');
    expect(trayTitle({ live: 0, total: 0 })).toBe('');
  });

  it('has Show Walls and Quit, each wired', () => {
    const ran: TrayCommand[] = [];
    const items = trayMenuTemplate((c) => ran.push(c));
    expect(items.map((i) => i.label)).toEqual(['Show Walls', 'Quit KVS Wall']);
    for (const item of items) item.click();
    expect(ran).toEqual(['tray.showWalls', 'tray.quit']);
  });
});

describe('the page.cameras request', () => {
  const request = calls['page.cameras'].request;
  it('takes counts a wall can have, and refuses the rest with a reason', () => {
    expect(request.safeParse({ live: 14, total: 16 }).success).toBe(true);
    expect(request.safeParse({ live: 0, total: 0 }).success).toBe(true);
    const more = request.safeParse({ live: 5, total: 4 });
    expect(more.success).toBe(false);
    expect(more.error?.issues[0]?.message).toMatch(/at most the cameras on the wall/);
    for (const bad of [{ live: -1, total: 2 }, { live: 1.5, total: 2 }, { live: 1, total: 65 }, { live: 1, total: 2, extra: true }, { live: 1 }]) {
      expect(request.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
