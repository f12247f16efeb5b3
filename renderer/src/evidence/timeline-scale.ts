/**
 * The timeline's arithmetic: zoom levels from 12 hours to 1 minute, times ↔ pixels, tick marks, the
 * ranges coverage is asked for (snapped, so small pans reuse main's cache), and the grid of times
 * thumbnails are asked at (the same times for every hover nearby: one GetImages request, then cached).
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** The spans the timeline shows, widest first. */
export const ZOOM_SPANS = [12 * HOUR, 6 * HOUR, 3 * HOUR, HOUR, 15 * MINUTE, 5 * MINUTE, MINUTE] as const;

export function zoomLabel(span: number): string {
  return span >= HOUR ? `${span / HOUR} h` : `${span / MINUTE} min`;
}

/** One step in or out from `span` (clamped to the ends). */
export function zoomStep(span: number, direction: 'in' | 'out'): number {
  const i = ZOOM_SPANS.findIndex((s) => s <= span);
  const at = i === -1 ? ZOOM_SPANS.length - 1 : i;
  const next = direction === 'in' ? Math.min(ZOOM_SPANS.length - 1, at + 1) : Math.max(0, at - 1);
  return ZOOM_SPANS[next] as number;
}

export interface View {
  /** Epoch ms at the left edge. */
  start: number;
  span: number;
}

/** A view of `span` with `at` at the same fraction across as it was in `view` (zooming keeps the pointer's time under it). */
export function zoomAround(view: View, span: number, at: number): View {
  const fraction = (at - view.start) / view.span;
  return { start: Math.round(at - fraction * span), span };
}

/** The view slid so that `time` is in it (with a margin), never past `latest`. */
export function follow(view: View, time: number, latest: number): View {
  const margin = view.span * 0.1;
  let start = view.start;
  if (time < start + margin) start = time - margin;
  if (time > start + view.span - margin) start = time - view.span + margin;
  return { start: Math.min(start, latest - view.span * 0.9), span: view.span };
}

export const timeToFraction = (view: View, time: number) => (time - view.start) / view.span;
export const fractionToTime = (view: View, fraction: number) => Math.round(view.start + fraction * view.span);

const TICK_STEPS = [10_000, 30_000, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR] as const;

/** Tick marks at least `minPx` apart on a timeline `width` px wide, on round times of the zone (`offset`: the zone's UTC offset). */
export function ticks(view: View, width: number, minPx = 70, offset = 0): number[] {
  const step = TICK_STEPS.find((s) => (s / view.span) * width >= minPx) ?? 6 * HOUR;
  const first = Math.ceil((view.start + offset) / step) * step - offset;
  const out: number[] = [];
  for (let t = first; t <= view.start + view.span; t += step) out.push(t);
  return out;
}

/** The range coverage is asked for: the view widened to quarter-span boundaries, so a small pan asks the same. */
export function coverageRange(view: View, now: number): { start: number; end: number } {
  const quarter = view.span / 4;
  const start = Math.max(0, Math.floor(view.start / quarter) * quarter - quarter);
  // Up to now: the future has nothing recorded.
  const end = Math.min(now, Math.ceil((view.start + view.span) / quarter) * quarter + quarter);
  return { start, end: Math.max(start + 1, end) };
}

/** About this many thumbnail slots across the timeline, at most. */
const SLOTS = 48;
/** GetImages' limits: ≤ 25 images and ≤ 300 s per request; slots no closer than a fragment. */
export const PER_REQUEST = 25;
export const REQUEST_SPAN = 300_000;
const NICE_STEPS = [2_000, 5_000, 10_000, 15_000, 30_000, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR] as const;

/** The spacing of thumbnail times for a view: a round step, never closer than a fragment (2 s). */
export function thumbnailStep(span: number): number {
  return NICE_STEPS.find((s) => s >= span / SLOTS) ?? HOUR;
}

/** The slot time a hover at `time` shows: the step's grid time at or before it. */
export function slotOf(time: number, step: number): number {
  return Math.floor(time / step) * step;
}

/**
 * The thumbnails one request brings for a hover at `time`: its slot and the neighbours that fit the
 * same GetImages request (it costs the same for 1 image or 25). Batches sit on a grid of their own,
 * so every hover nearby asks exactly the same batch and main answers it from its cache.
 */
export function thumbnailBatch(time: number, step: number, latest: number): { from: number; stepMs: number; count: number } {
  const per = Math.max(1, Math.min(PER_REQUEST, Math.floor(REQUEST_SPAN / step) + 1));
  const from = Math.floor(slotOf(time, step) / (per * step)) * per * step;
  const count = Math.max(1, Math.min(per, Math.floor((latest - from) / step) + 1));
  return { from, stepMs: step, count };
}
