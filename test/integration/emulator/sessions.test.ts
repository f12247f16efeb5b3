import { ListFragmentsCommand, type Fragment } from '@aws-sdk/client-kinesis-video-archived-media';
import { parse, type ParsedManifest } from 'mpd-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archivedMedia, cameras, getOk, sequenceNumber, hasBox, sessionUrl, startTestEmulator, type Emulator } from './support';

let emulator: Emulator;
let advance: (ms: number) => void;
let now: () => number;

beforeAll(async () => {
  ({ emulator, advance, now } = await startTestEmulator({ cameras: cameras('live-cam', 'archive-cam', 'replay-cam', 'head-cam') }));
});
afterAll(() => emulator?.stop());

interface Manifest {
  xml: string;
  parsed: ParsedManifest;
  segments: ParsedManifest['playlists'][number]['segments'];
}

async function manifest(url: string): Promise<Manifest> {
  const res = await getOk(url);
  expect(res.headers.get('content-type')).toBe('application/dash+xml');
  const xml = await res.text();
  const warnings: string[] = [];
  const parsed = parse(xml, { manifestUri: url, eventHandler: (e) => warnings.push(e.message) });
  expect(parsed.playlists).toHaveLength(1);
  return { xml, parsed, segments: parsed.playlists[0]?.segments ?? [] };
}

/** Fragment duration on the demo clips. */
const FRAGMENT_MS = 2000;

describe('emulator DASH sessions (real SDK + mpd-parser)', () => {
  it('issues a KVS-shaped session URL whose manifest, init and media fragments load', async () => {
    const url = await sessionUrl(emulator, { StreamName: 'live-cam', PlaybackMode: 'LIVE' });
    expect(url).toMatch(new RegExp(`^${emulator.url}/dash/v1/getDASHManifest\\.mpd\\?SessionToken=Ci[A-Za-z0-9_-]{100,}~$`));

    const res = await getOk(url);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const { xml, segments } = await manifest(url);
    expect(xml).toMatch(/type="dynamic"/);
    expect(segments).toHaveLength(5);
    expect(segments.map((s) => sequenceNumber(s.resolvedUri))).toEqual([1, 2, 3, 4, 5]);

    const initUrl = segments[0]?.map?.resolvedUri ?? '';
    expect(initUrl.startsWith(`${emulator.url}/dash/v1/getMP4InitFragment.mp4?`)).toBe(true);
    const init = await getOk(initUrl);
    expect(init.headers.get('content-type')).toBe('video/mp4');
    const initBytes = new Uint8Array(await init.arrayBuffer());
    expect(hasBox(initBytes, 'ftyp') && hasBox(initBytes, 'moov')).toBe(true);

    const newest = segments[4]?.resolvedUri ?? '';
    expect(newest.startsWith(`${emulator.url}/dash/v1/getMP4MediaFragment.mp4?`)).toBe(true);
    const media = await getOk(newest);
    expect(media.headers.get('content-type')).toBe('video/mp4');
    expect(media.headers.get('access-control-allow-origin')).toBe('*');
    const mediaBytes = new Uint8Array(await media.arrayBuffer());
    expect(hasBox(mediaBytes, 'moof') && hasBox(mediaBytes, 'mdat')).toBe(true);
  });

  it('counts the body bytes of the media GETs it answered, by kind (HEAD answers carry none)', async () => {
    const url = await sessionUrl(emulator, { StreamName: 'head-cam', PlaybackMode: 'LIVE' });
    const before = emulator.control.counters().bytesServed;
    const first = await (await getOk(url)).text();
    const { xml, segments } = await manifest(url);
    const fragment = new Uint8Array(await (await getOk(segments[4]?.resolvedUri ?? '')).arrayBuffer());
    const head = await fetch(segments[3]?.resolvedUri ?? '', { method: 'HEAD' });
    expect(head.status).toBe(200);
    const after = emulator.control.counters().bytesServed;
    const grew = (kind: keyof typeof after): number => (after[kind] ?? 0) - (before[kind] ?? 0);
    expect(grew('getDASHManifest')).toBe(Buffer.byteLength(first) + Buffer.byteLength(xml));
    expect(grew('getMP4MediaFragment')).toBe(fragment.byteLength);
    expect(grew('getMP4InitFragment')).toBe(0);
  });

  it('keeps a LIVE fragment on its number across refreshes and numbers new ones next', async () => {
    const url = await sessionUrl(emulator, { StreamName: 'live-cam', MaxManifestFragmentResults: 4 });
    const first = await manifest(url);
    advance(2 * FRAGMENT_MS + 100);
    const second = await manifest(url);
    expect(first.segments.map((s) => sequenceNumber(s.resolvedUri))).toEqual([1, 2, 3, 4]);
    const byTime = new Map(first.segments.map((s) => [s.presentationTime?.toFixed(3), sequenceNumber(s.resolvedUri)]));
    let shared = 0;
    for (const s of second.segments) {
      const before = byTime.get(s.presentationTime?.toFixed(3));
      if (before !== undefined) {
        expect(sequenceNumber(s.resolvedUri)).toBe(before);
        shared++;
      }
    }
    // Two or three fragments complete in 4.1 s, depending on where the boundaries fall.
    expect(shared).toBeGreaterThanOrEqual(1);
    expect(shared).toBeLessThanOrEqual(2);
    const added = 4 - shared;
    expect(second.segments.map((s) => sequenceNumber(s.resolvedUri))).toEqual([1, 2, 3, 4].map((n) => n + added));
    // The newest fragment of the second manifest is new media, served under its new number.
    const newest = await getOk(second.segments[3]?.resolvedUri ?? '');
    expect(hasBox(new Uint8Array(await newest.arrayBuffer()), 'moof')).toBe(true);
  });

  it('adds kvs:fn and kvs:ts only when asked', async () => {
    const plain = await manifest(await sessionUrl(emulator, { StreamName: 'head-cam' }));
    expect(plain.xml).not.toMatch(/kvs:fn=/);
    expect(plain.xml).not.toMatch(/kvs:ts=/);
    advance(1000);
    const shown = await manifest(await sessionUrl(emulator, { StreamName: 'head-cam', DisplayFragmentNumber: 'ALWAYS', DisplayFragmentTimestamp: 'ALWAYS' }));
    expect(shown.xml.match(/kvs:fn="\d+"/g)?.length).toBe(5);
    expect(shown.xml.match(/kvs:ts="[^"]+"/g)?.length).toBe(5);
  });

  it('serves ON_DEMAND as a static manifest of the oldest fragments in range, up to MaxManifestFragmentResults', async () => {
    const start = new Date(now() - 300_000);
    const end = new Date(now() - 200_000);
    const url = await sessionUrl(emulator, {
      StreamName: 'archive-cam',
      PlaybackMode: 'ON_DEMAND',
      DASHFragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: start, EndTimestamp: end } },
      MaxManifestFragmentResults: 10,
      DisplayFragmentTimestamp: 'ALWAYS',
      DisplayFragmentNumber: 'ALWAYS',
    });
    const first = await manifest(url);
    expect(first.xml).toMatch(/type="static"/);
    expect(first.segments.map((s) => sequenceNumber(s.resolvedUri))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const listed = await archivedMedia(emulator).send(
      new ListFragmentsCommand({ StreamName: 'archive-cam', FragmentSelector: { FragmentSelectorType: 'PRODUCER_TIMESTAMP', TimestampRange: { StartTimestamp: start, EndTimestamp: end } } }),
    );
    const fragments = [...(listed.Fragments ?? [])].sort((a, b) => (a.ProducerTimestamp?.getTime() ?? 0) - (b.ProducerTimestamp?.getTime() ?? 0));
    const fnInManifest = [...first.xml.matchAll(/kvs:fn="(\d+)"/g)].map((m) => m[1]);
    expect(fnInManifest).toEqual(fragments.slice(0, 10).map((f) => f.FragmentNumber));

    advance(5 * FRAGMENT_MS);
    const later = await manifest(url);
    expect(later.segments.map((s) => s.presentationTime)).toEqual(first.segments.map((s) => s.presentationTime));
    const media = await getOk(later.segments[9]?.resolvedUri ?? '');
    expect(hasBox(new Uint8Array(await media.arrayBuffer()), 'mdat')).toBe(true);
  });

  it('grows a LIVE_REPLAY manifest by one fragment per fragment duration, from StartTimestamp', async () => {
    const start = new Date(now() - 120_000);
    const url = await sessionUrl(emulator, {
      StreamName: 'replay-cam',
      PlaybackMode: 'LIVE_REPLAY',
      DASHFragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: { StartTimestamp: start } },
      DisplayFragmentTimestamp: 'ALWAYS',
    });
    const counts: number[] = [];
    const newestTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await manifest(url);
      expect(m.xml).toMatch(/type="dynamic"/);
      counts.push(m.segments.length);
      newestTimes.push(m.segments.at(-1)?.presentationTime ?? Number.NaN);
      advance(FRAGMENT_MS);
    }
    expect(counts).toEqual([3, 4, 5, 5, 5]);
    for (let i = 1; i < newestTimes.length; i++) expect((newestTimes[i] ?? 0) - (newestTimes[i - 1] ?? 0)).toBeCloseTo(FRAGMENT_MS / 1000, 1);
    // The replay begins at StartTimestamp: its first fragment's server time is the first at or after it.
    const first = await manifest(url);
    const firstTs = Number(/kvs:ts="([^"]+)"/.exec(first.xml)?.[1] ?? Number.NaN);
    expect(Number.isFinite(firstTs)).toBe(true);
  });

  it('pages ListFragments with KVS fields and numeric timestamps', async () => {
    const client = archivedMedia(emulator);
    const range = { StartTimestamp: new Date(now() - 60_000), EndTimestamp: new Date(now() - 20_000) };
    const all: Fragment[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(new ListFragmentsCommand({ StreamName: 'archive-cam', MaxResults: 7, NextToken, FragmentSelector: { FragmentSelectorType: 'SERVER_TIMESTAMP', TimestampRange: range } }));
      all.push(...(out.Fragments ?? []));
      NextToken = out.NextToken;
      pages++;
    } while (NextToken && pages < 20);
    expect(all.length).toBeGreaterThanOrEqual(19);
    expect(all.length).toBeLessThanOrEqual(21);
    expect(pages).toBe(Math.ceil(all.length / 7));
    const numbers = all.map((f) => f.FragmentNumber ?? '');
    expect(new Set(numbers).size).toBe(all.length);
    for (const f of all) {
      expect(f.FragmentNumber).toMatch(/^\d{10,}$/);
      expect(f.ServerTimestamp).toBeInstanceOf(Date);
      expect(f.ServerTimestamp!.getTime()).toBeGreaterThanOrEqual(range.StartTimestamp.getTime());
      expect(f.ServerTimestamp!.getTime()).toBeLessThanOrEqual(range.EndTimestamp.getTime());
      expect(f.ProducerTimestamp!.getTime()).toBeLessThanOrEqual(f.ServerTimestamp!.getTime());
      expect(f.FragmentLengthInMilliseconds).toBeGreaterThan(1000);
      expect(f.FragmentSizeInBytes).toBeGreaterThan(100);
    }
  });

  it('answers HEAD and CORS preflight on the DASH endpoints', async () => {
    const url = await sessionUrl(emulator, { StreamName: 'head-cam', Expires: 600 });
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await head.text()).toBe('');
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
    expect(head.headers.get('access-control-expose-headers')).toContain('x-amzn-ErrorType');
  });
});
