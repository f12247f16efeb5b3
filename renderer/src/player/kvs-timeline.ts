/**
 * The camera's real clock from a KVS manifest. KVS may rewrite the DASH media timeline to bridge gaps,
 * so wall-clock time derived from the MPD can be wrong; `kvs:ts` on each `S` element carries the
 * fragment's true timestamp. We keep, per manifest, media-time ranges and the timestamp each starts at.
 */

export interface TimedFragment {
  /** Presentation time (seconds) at which the fragment starts, as the player sees it. */
  startSec: number;
  durationSec: number;
  /** Epoch ms of the fragment's first frame (from kvs:ts), when the manifest carries it. */
  timestampMs?: number;
  /** Its `$Number$` in the SegmentTemplate's media URL (startNumber + its place in the timeline). */
  number: number;
}

export interface ManifestTimeline {
  fragments: TimedFragment[];
  /** The end of the newest fragment, in presentation seconds; it stops moving when the camera stops. */
  newestEndSec: number;
  dynamic: boolean;
}

const ATTR_RE = /([\w:]+)\s*=\s*"([^"]*)"/g;

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(ATTR_RE)) if (m[1] && m[2] !== undefined) out.set(m[1], m[2]);
  return out;
}

/** ISO 8601 durations as used in MPDs (PT1H2M3.5S). */
export function parseIsoDuration(value: string | undefined): number {
  if (!value) return 0;
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m) return 0;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

/** KVS documents the attribute but not its unit; accept epoch seconds or epoch milliseconds. */
function timestampToMs(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    const parsed = Date.parse(raw);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
}

function videoAdaptationSet(mpd: string): string | undefined {
  const sets = mpd.split(/<AdaptationSet\b/).slice(1).map((s) => s.split('</AdaptationSet>')[0] ?? s);
  return sets.find((s) => /contentType="video"|mimeType="video\//.test(s)) ?? sets[0];
}

/** The video AdaptationSet's SegmentTemplate URLs (entities decoded, `$$` left for `mediaUrl`). */
export interface SegmentUrls {
  initialization: string;
  media: string;
}

const XML_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

/** The initialization and media URL templates of the first video AdaptationSet, as written (relative). */
export function segmentUrlsOf(mpd: string): SegmentUrls | undefined {
  const set = videoAdaptationSet(mpd);
  const templateTag = set ? /<SegmentTemplate\b[^>]*>/.exec(set)?.[0] : undefined;
  if (!templateTag) return undefined;
  const template = attributes(templateTag);
  const decode = (v: string): string => v.replace(/&(?:amp|lt|gt|quot|apos);/g, (e) => XML_ENTITIES[e] ?? e);
  const initialization = template.get('initialization');
  const media = template.get('media');
  return initialization && media ? { initialization: decode(initialization), media: decode(media) } : undefined;
}

/** A SegmentTemplate URL with `$Number$` filled in and `$$` unescaped, resolved against the manifest's URL. */
export function fillTemplate(template: string, number: number, base: string): string {
  const filled = template.replace(/\$(Number(?:%0(\d+)d)?)?\$/g, (whole, name: string | undefined, width: string | undefined) => {
    if (!name) return '$';
    return String(number).padStart(Number(width ?? 0), '0');
  });
  return new URL(filled, base).href;
}

/** Parses the first video AdaptationSet's SegmentTimeline. Returns undefined for manifests it can't read. */
export function parseManifestTimeline(mpd: string): ManifestTimeline | undefined {
  const periodTag = /<Period\b[^>]*>/.exec(mpd)?.[0];
  const periodStart = parseIsoDuration(periodTag ? attributes(periodTag).get('start') : undefined);
  const dynamic = /<MPD\b[^>]*\btype="dynamic"/.test(mpd);
  const set = videoAdaptationSet(mpd);
  if (!set) return undefined;
  const templateTag = /<SegmentTemplate\b[^>]*>/.exec(set)?.[0];
  if (!templateTag) return undefined;
  const template = attributes(templateTag);
  const timescale = Number(template.get('timescale') ?? 1);
  const offset = Number(template.get('presentationTimeOffset') ?? 0);
  const startNumber = Number(template.get('startNumber') ?? 1);
  if (!(timescale > 0) || !Number.isSafeInteger(startNumber)) return undefined;

  const fragments: TimedFragment[] = [];
  let next = 0;
  for (const m of set.matchAll(/<S\b[^>]*\/?>/g)) {
    const s = attributes(m[0]);
    const d = Number(s.get('d'));
    if (!(d > 0)) continue;
    const t = s.has('t') ? Number(s.get('t')) : next;
    const repeat = Number(s.get('r') ?? 0);
    const ts = timestampToMs(s.get('kvs:ts'));
    for (let i = 0; i <= Math.max(0, repeat); i++) {
      const start = t + i * d;
      const fragment: TimedFragment = { startSec: periodStart + (start - offset) / timescale, durationSec: d / timescale, number: startNumber + fragments.length };
      // A repeated S shares one kvs:ts; later repeats are estimated from the duration.
      if (ts !== undefined) fragment.timestampMs = ts + Math.round((i * d * 1000) / timescale);
      fragments.push(fragment);
    }
    next = t + (repeat + 1) * d;
  }
  if (fragments.length === 0) return { fragments, newestEndSec: 0, dynamic };
  const last = fragments[fragments.length - 1]!;
  return { fragments, newestEndSec: last.startSec + last.durationSec, dynamic };
}

/**
 * Remembers fragments across manifest refreshes (the live window slides, but the playhead may still be
 * in a fragment that has just left it) and answers "what time was it at the camera at media time t".
 */
export class CameraClock {
  private readonly byStart = new Map<number, TimedFragment>();
  private sorted: TimedFragment[] = [];

  update(timeline: ManifestTimeline): void {
    for (const f of timeline.fragments) this.byStart.set(Math.round(f.startSec * 1000), f);
    // Keep a bounded history: a day-long live session must not grow this without limit.
    const keys = [...this.byStart.keys()].sort((a, b) => a - b);
    for (const k of keys.slice(0, Math.max(0, keys.length - 120))) this.byStart.delete(k);
    this.sorted = [...this.byStart.values()].sort((a, b) => a.startSec - b.startSec);
  }

  /** Epoch ms at the camera for a presentation time, or undefined when no kvs:ts covers it. */
  cameraTimeAt(mediaSec: number): number | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = this.sorted[mid]!;
      if (mediaSec < f.startSec) hi = mid - 1;
      else if (mediaSec >= f.startSec + f.durationSec) lo = mid + 1;
      else return f.timestampMs === undefined ? undefined : f.timestampMs + (mediaSec - f.startSec) * 1000;
    }
    return undefined;
  }
}
