import { describe, expect, it } from 'vitest';
import { createLogger, redact } from '../../../main/core/logger';

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ write: (l) => lines.push(l) }, 'test') };
}

describe('redacting logger', () => {
  it('redacts session tokens in URLs', () => {
    expect(redact('GET https://h/dash/v1/getDASHManifest.mpd?SessionToken=CiAbc~&x=1')).toBe(
      'GET https://h/dash/v1/getDASHManifest.mpd?SessionToken=[redacted]&x=1',
    );
  });

  it('redacts secrets nested in field strings, where JSON escaping would otherwise hide them', () => {
    const { lines, logger } = capture();
    logger.error('failed', { detail: 'payload {"secretAccessKey":"wJalrXUtnFEMI/K7MDENG"}', err: new Error('url ?SessionToken=tok123') });
    const out = lines.join('');
    expect(out).not.toContain('wJalrXUtnFEMI');
    expect(out).not.toContain('tok123');
    expect(out).toContain('[redacted]');
  });

  it('keeps ordinary fields intact and writes one JSON line per record', () => {
    const { lines, logger } = capture();
    logger.info('tile live', { tileId: 't1', count: 3 });
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 'info', scope: 'test', msg: 'tile live', tileId: 't1', count: 3 });
  });
});
