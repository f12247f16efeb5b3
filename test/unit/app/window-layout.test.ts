import { describe, expect, it } from 'vitest';
import { fitInto, nextDisplay, placeSaved, WindowLayout, WindowLayoutSchema, type DisplayGeometry, type WindowState } from '../../../main/app/policy/window-layout';

/** Three monitors side by side, as a control-room PC reports them (taskbar on the primary only). */
const LEFT: DisplayGeometry = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const MIDDLE: DisplayGeometry = { id: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 0, width: 2560, height: 1440 } };
const RIGHT: DisplayGeometry = { id: 3, bounds: { x: 4480, y: 0, width: 1920, height: 1080 }, workArea: { x: 4480, y: 0, width: 1920, height: 1080 } };

const onRight: WindowState = { wallId: 'lobby', displayId: 3, displayBounds: RIGHT.bounds, bounds: { x: 4580, y: 100, width: 1200, height: 800 }, fullscreen: true, kiosk: false };

describe('window placement', () => {
  it('opens a saved window at home on its display', () => {
    expect(placeSaved(onRight, [LEFT, MIDDLE, RIGHT], LEFT)).toEqual({ wallId: 'lobby', displayId: 3, bounds: onRight.bounds, fullscreen: true, kiosk: false, away: false });
  });

  it('knows its display again by its bounds when the OS renumbered it', () => {
    const renumbered = { ...RIGHT, id: 17 };
    expect(placeSaved(onRight, [LEFT, renumbered], LEFT)).toMatchObject({ displayId: 17, bounds: onRight.bounds, away: false });
  });

  it('falls back to the primary display, same place on it, fitted into its work area', () => {
    expect(placeSaved(onRight, [LEFT, MIDDLE], LEFT)).toEqual({ wallId: 'lobby', displayId: 1, bounds: { x: 100, y: 100, width: 1200, height: 800 }, fullscreen: true, kiosk: false, away: true });
    // Larger than the fallback's work area: shrunk and moved in, all of it visible.
    const big = { ...onRight, bounds: { x: 4480, y: -50, width: 1920, height: 1080 } };
    expect(placeSaved(big, [LEFT], LEFT).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
  });

  it('fits bounds into an area and orders displays left to right for "next display"', () => {
    expect(fitInto({ x: -500, y: 2000, width: 800, height: 600 }, LEFT.workArea)).toEqual({ x: 0, y: 440, width: 800, height: 600 });
    expect(nextDisplay([RIGHT, LEFT, MIDDLE], 1)?.id).toBe(2);
    expect(nextDisplay([RIGHT, LEFT, MIDDLE], 3)?.id).toBe(1);
    expect(nextDisplay([LEFT], 1)?.id).toBe(1);
    expect(nextDisplay([], 1)).toBeUndefined();
  });
});

describe('live window layout', () => {
  function layoutWith(state: WindowState, displays: DisplayGeometry[]) {
    const layout = new WindowLayout();
    const placement = placeSaved(state, displays, LEFT);
    layout.track('w1', placement, displays.find((d) => d.id === placement.displayId)!, state);
    return { layout, placement };
  }

  it('moves a window off a display that is unplugged, and back when it returns', () => {
    const { layout } = layoutWith(onRight, [LEFT, MIDDLE, RIGHT]);
    expect(layout.displaysChanged([LEFT, MIDDLE], LEFT)).toEqual([
      { windowId: 'w1', wallId: 'lobby', displayId: 1, bounds: { x: 100, y: 100, width: 1200, height: 800 }, fullscreen: true, kiosk: false, away: true },
    ]);
    // Nothing changes while it waits, even when the OS reports the fallback's own moves.
    layout.moved('w1', LEFT, { bounds: { x: 100, y: 100, width: 1200, height: 800 }, fullscreen: true });
    expect(layout.displaysChanged([LEFT, MIDDLE], LEFT)).toEqual([]);
    expect(layout.snapshot().windows).toEqual([onRight]);
    expect(layout.displaysChanged([LEFT, MIDDLE, RIGHT], LEFT)).toEqual([{ windowId: 'w1', wallId: 'lobby', displayId: 3, bounds: onRight.bounds, fullscreen: true, kiosk: false, away: false }]);
    expect(layout.displaysChanged([LEFT, MIDDLE, RIGHT], LEFT)).toEqual([]);
  });

  it('opened away (its display missing at start), it goes home when the display is plugged in', () => {
    const { layout, placement } = layoutWith(onRight, [LEFT]);
    expect(placement.away).toBe(true);
    expect(layout.displaysChanged([LEFT, RIGHT], LEFT)).toEqual([expect.objectContaining({ windowId: 'w1', displayId: 3, away: false })]);
  });

  it('a window the operator drags to another display while away makes that its home', () => {
    const { layout } = layoutWith(onRight, [LEFT, MIDDLE]);
    layout.moved('w1', MIDDLE, { bounds: { x: 2000, y: 10, width: 1000, height: 700 }, fullscreen: false });
    expect(layout.snapshot().windows).toEqual([{ wallId: 'lobby', displayId: 2, displayBounds: MIDDLE.bounds, bounds: { x: 2000, y: 10, width: 1000, height: 700 }, fullscreen: false, kiosk: false }]);
    expect(layout.displaysChanged([LEFT, MIDDLE, RIGHT], LEFT)).toEqual([]);
  });

  it('keeps the normal bounds of a fullscreen window, so leaving fullscreen restores them', () => {
    const { layout } = layoutWith({ ...onRight, fullscreen: false }, [LEFT, MIDDLE, RIGHT]);
    layout.moved('w1', RIGHT, { bounds: RIGHT.bounds, fullscreen: true });
    expect(layout.snapshot().windows[0]).toMatchObject({ fullscreen: true, bounds: onRight.bounds });
  });

  it('"Move wall to next display" moves the window, keeps its place, and makes the new display home', () => {
    const { layout } = layoutWith(onRight, [LEFT, MIDDLE, RIGHT]);
    const move = layout.moveToNext('w1', [LEFT, MIDDLE, RIGHT]);
    expect(move).toEqual({ windowId: 'w1', wallId: 'lobby', displayId: 1, bounds: { x: 100, y: 100, width: 1200, height: 800 }, fullscreen: true, kiosk: false, away: false });
    expect(layout.snapshot().windows[0]).toMatchObject({ displayId: 1, displayBounds: LEFT.bounds });
    expect(layout.moveToNext('w1', [LEFT])).toBeUndefined();
    expect(layout.moveToNext('nope', [LEFT, MIDDLE])).toBeUndefined();
  });

  it('saves each window’s wall, in window order, in a shape the schema accepts; closed windows are not saved', () => {
    const layout = new WindowLayout();
    for (const [id, display] of [['w10', RIGHT], ['w2', MIDDLE], ['w1', LEFT]] as const) {
      layout.track(id, { displayId: display.id, bounds: display.workArea, fullscreen: false, kiosk: false, away: false }, display);
      layout.showing(id, `wall-${id}`);
    }
    layout.closed('w2');
    const saved = layout.snapshot();
    expect(saved.windows.map((w) => w.wallId)).toEqual(['wall-w1', 'wall-w10']);
    expect(WindowLayoutSchema.parse(saved)).toEqual(saved);
    expect(layout.wallOf('w10')).toBe('wall-w10');
    expect(WindowLayoutSchema.safeParse({ windows: [{ ...onRight, bounds: { x: 0, y: 0, width: 0, height: 10 } }] }).success).toBe(false);
  });
});
