import { describe, expect, it } from 'vitest';
import { accountSummaryForSupport, diagnosticsFileName, GpuReportSchema } from '../../../main/diagnostics';
import { scrubbedJson, scrubValue } from '../../../main/diagnostics/scrub';

describe('scrubValue', () => {
  it('replaces the text of fields named like credentials, whatever the text looks like', () => {
    const out = scrubValue({
      secretAccessKey: 'plain-words-no-pattern',
      nested: { sessionToken: 'x', clientSecret: 'y', Authorization: 'z', cookie: 'a=b', privateKey: 'k', list: [{ password: 'p' }] },
    });
    expect(out).toEqual({
      secretAccessKey: '[redacted]',
      nested: { sessionToken: '[redacted]', clientSecret: '[redacted]', Authorization: '[redacted]', cookie: '[redacted]', privateKey: '[redacted]', list: [{ password: '[redacted]' }] },
    });
  });

  it('keeps flags and counts under such names, and redacts free text everywhere', () => {
    expect(scrubValue({ hasSessionToken: true, tokensPerSecond: 5, note: 'see https://h/a.mpd?SessionToken=CiAbc123 and AKIAIOSFODNN7EXAMPLE' })).toEqual({
      hasSessionToken: true,
      tokensPerSecond: 5,
      note: 'see https://h/a.mpd?SessionToken=[redacted] and AKIA…MPLE',
    });
  });

  it('turns anything into plain JSON: errors, dates, maps, sets, bigints, cycles, undefined', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const shared = { n: 1 };
    const out = scrubValue({
      err: new Error('failed with SessionToken=CiLeak'),
      at: new Date(0),
      map: new Map([['a', 1]]),
      set: new Set([1, 2]),
      big: 10n,
      nan: Number.NaN,
      gone: undefined,
      fn: () => 1,
      cyclic,
      twice: [shared, shared],
    });
    expect(out).toEqual({
      err: 'Error: failed with SessionToken=[redacted]',
      at: '1970-01-01T00:00:00.000Z',
      map: { a: 1 },
      set: [1, 2],
      big: '10',
      nan: 'NaN',
      cyclic: { name: 'loop', self: '[cycle]' },
      twice: [{ n: 1 }, { n: 1 }],
    });
    expect(() => JSON.parse(scrubbedJson(out))).not.toThrow();
  });
});

describe('account summaries for support', () => {
  it('copies allow-listed fields only, masks the key id and strips credentials from an endpoint', () => {
    const summary = accountSummaryForSupport({
      id: 'acc1',
      kind: 'aws',
      name: 'Site A',
      region: 'eu-west-1',
      accessKeyId: 'ASIAKVSWALLSCAN00001',
      hasSessionToken: true,
      endpoint: 'https://user:pw@kvs.example.test:8443/path?X-Amz-Security-Token=abc',
      secretAccessKey: 'must-not-appear',
      sessionToken: 'must-not-appear-either',
      somethingNew: 'not on the list',
    });
    expect(summary).toEqual({ id: 'acc1', kind: 'aws', name: 'Site A', region: 'eu-west-1', accessKeyId: 'ASIA…0001', hasSessionToken: true, endpoint: 'https://kvs.example.test:8443/path' });
  });

  it('says what it got when an account is not an object', () => {
    expect(accountSummaryForSupport('x')).toEqual({ invalid: 'string' });
  });
});

describe('diagnostics inputs', () => {
  it('names the zip by time, with no character an OS forbids', () => {
    expect(diagnosticsFileName(Date.UTC(2026, 2, 1, 10, 20, 30, 456))).toBe('kvs-wall-diagnostics-2026-03-01T10-20-30Z.zip');
  });

  it('validates a GPU report strictly', () => {
    expect(GpuReportSchema.safeParse({ source: 'browser', decoders: [{ contentType: 'video/mp4; codecs="avc1.64001f"', supported: true, smooth: true }] }).success).toBe(true);
    expect(GpuReportSchema.safeParse({ source: 'browser', shell: 'rm -rf /' }).success).toBe(false);
    expect(GpuReportSchema.safeParse({ source: 'electron', gpuInfo: { blob: 'x'.repeat(70_000) } }).success).toBe(false);
  });
});
