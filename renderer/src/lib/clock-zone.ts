/**
 * The wall's clocks in the zone the operator chose: the operator's own (this computer's), the
 * camera's (from the stream's `timezone` or `tz` tag, an IANA name such as Europe/Berlin), or UTC.
 * A camera without a usable tag shows the operator's time and says so.
 */
export type ClockZoneChoice = 'operator' | 'camera' | 'utc';

/** A resolved zone: an IANA name, or undefined for this computer's own. */
export interface ClockZone {
  timeZone: string | undefined;
  /** Short words for the zone, shown beside clocks where there is room ("UTC", "CET", "local"). */
  label: string;
  /** Camera-local was asked for but the camera has no zone tag: the operator's time is shown. */
  fallback?: boolean;
}

/** Tags a camera's zone may be given in (the first that names a real zone wins). */
export const CAMERA_ZONE_TAGS = ['timezone', 'tz', 'TimeZone', 'TZ'] as const;

const validZones = new Map<string, boolean>();

export function isTimeZone(name: string): boolean {
  let ok = validZones.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: name });
      ok = name.length > 0 && name.length <= 64;
    } catch {
      ok = false;
    }
    validZones.set(name, ok);
  }
  return ok;
}

function shortName(timeZone: string | undefined, at: number): string {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' }).formatToParts(at);
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? 'local';
  } catch {
    return 'local';
  }
}

export function resolveZone(choice: ClockZoneChoice, cameraTags: Readonly<Record<string, string>> | undefined, at = Date.now()): ClockZone {
  if (choice === 'utc') return { timeZone: 'UTC', label: 'UTC' };
  if (choice === 'camera') {
    const tagged = CAMERA_ZONE_TAGS.map((t) => cameraTags?.[t]).find((v): v is string => typeof v === 'string' && isTimeZone(v));
    if (tagged) return { timeZone: tagged, label: shortName(tagged, at) };
    return { timeZone: undefined, label: 'local', fallback: true };
  }
  return { timeZone: undefined, label: 'local' };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: zone, hourCycle: 'h23' });
    formatters.set(key, f);
  }
  return f;
}

function parts(ms: number, zone: string | undefined, options: Intl.DateTimeFormatOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(zone, options).formatToParts(ms)) out[p.type] = p.value;
  return out;
}

/** "14:03:07" (or "14:03" without seconds). */
export function timeText(ms: number, zone: ClockZone, seconds = true): string {
  const p = parts(ms, zone.timeZone, { hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) });
  return seconds ? `${p['hour']}:${p['minute']}:${p['second']}` : `${p['hour']}:${p['minute']}`;
}

/** "29 Nov". */
export function dateText(ms: number, zone: ClockZone): string {
  const p = parts(ms, zone.timeZone, { day: 'numeric', month: 'short' });
  return `${p['day']} ${p['month']}`;
}

/** "29 Nov 2025". */
export function fullDateText(ms: number, zone: ClockZone): string {
  const p = parts(ms, zone.timeZone, { day: 'numeric', month: 'short', year: 'numeric' });
  return `${p['day']} ${p['month']} ${p['year']}`;
}

/** "2025-11-29T14:03:07" in the zone: what a datetime-local input shows and takes. */
export function inputValue(ms: number, zone: ClockZone): string {
  const p = parts(ms, zone.timeZone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${p['year']}-${p['month']}-${p['day']}T${p['hour']}:${p['minute']}:${p['second']}`;
}

/** The zone's offset from UTC at `ms`, in ms (positive east of Greenwich). */
export function offsetAt(ms: number, zone: ClockZone): number {
  const p = parts(ms, zone.timeZone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const asUtc = Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']), Number(p['minute']), Number(p['second']));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * A typed date and time ("2025-11-29T14:03:07", "2025-11-29 14:03", or a time alone "14:03" for the
 * day of `today`) read as a moment in the zone; undefined when it isn't one.
 */
export function parseTyped(text: string, zone: ClockZone, today: number): number | undefined {
  const trimmed = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
  let fields: number[];
  if (m) {
    fields = m.slice(1).map((v) => Number(v ?? 0));
  } else {
    m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
    if (!m) return undefined;
    const day = inputValue(today, zone).slice(0, 10).split('-').map(Number);
    fields = [...day, ...m.slice(1).map((v) => Number(v ?? 0))];
  }
  const [year, month, day, hour, minute, second] = fields as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const naive = Date.UTC(year, month - 1, day, hour, minute, second);
  // The zone's offset near that moment; once more at the corrected moment for the days clocks change.
  let guess = naive - offsetAt(naive, zone);
  guess = naive - offsetAt(guess, zone);
  // A date like 31 Feb rolls over: refuse it rather than land elsewhere.
  return inputValue(guess, zone) === `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}` ? guess : undefined;
}

/** "−4:12" or "−1:02:03": how far behind now a replay plays. */
export function behindText(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `−${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
