import { describe, expect, it } from 'vitest';
import { emptyDraft, validateDraft } from '../../../renderer/src/accounts/account-form';
import { coverageSpans } from '../../../renderer/src/tiles/fragment-coverage';

describe('account form validation', () => {
  it('reports each invalid field with the contract schema message', () => {
    const result = validateDraft({ ...emptyDraft(), name: ' ', region: 'mars', accessKeyId: 'nope', secretAccessKey: 'short' });
    expect(Object.keys(result.errors ?? {}).sort()).toEqual(['accessKeyId', 'name', 'region', 'secretAccessKey']);
    expect(result.errors?.region).toMatch(/AWS region/);
    expect(result.errors?.accessKeyId).toMatch(/AKIA/);
  });

  it('leaves empty optional fields out and accepts a valid draft', () => {
    const result = validateDraft({ ...emptyDraft(), name: 'Emulator', accessKeyId: 'AKIAKVSWALLDEMO00001', secretAccessKey: 'x'.repeat(20), endpoint: 'http://127.0.0.1:4567' });
    expect(result.input).toEqual({ name: 'Emulator', region: 'us-east-1', accessKeyId: 'AKIAKVSWALLDEMO00001', secretAccessKey: 'x'.repeat(20), endpoint: 'http://127.0.0.1:4567' });
  });

  it('rejects an endpoint carrying credentials', () => {
    const result = validateDraft({ ...emptyDraft(), name: 'E', accessKeyId: 'AKIAKVSWALLDEMO00001', secretAccessKey: 'x'.repeat(20), endpoint: 'http://u:p@127.0.0.1' });
    expect(result.errors?.endpoint).toMatch(/without credentials/);
  });
});

describe('look-back coverage', () => {
  it('merges adjacent fragments and splits at gaps', () => {
    const f = (t: number) => ({ fragmentNumber: String(t), producerTimestamp: t, serverTimestamp: t, durationMs: 2000 });
    expect(coverageSpans([f(0), f(2000), f(4000), f(10_000)], 0, 20_000)).toEqual([
      { from: 0, to: 0.3 },
      { from: 0.5, to: 0.6 },
    ]);
  });
});
