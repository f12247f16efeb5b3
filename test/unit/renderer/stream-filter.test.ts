import { describe, expect, it } from 'vitest';
import type { StreamInfo } from '../../../shared/model';
import { filterStreams, groupByTag, matches, tagKeys } from '../../../renderer/src/streams/stream-filter';

const stream = (name: string): StreamInfo => ({ name, arn: `arn:aws:kinesisvideo:eu-west-1:123456789012:stream/${name}/1`, status: 'ACTIVE', retentionHours: 24, playable: true });
/** 200 cameras across sites, as a real site names them. */
const site = [
  ...Array.from({ length: 60 }, (_, i) => stream(`warehouse-aisle-${i + 1}`)),
  ...Array.from({ length: 6 }, (_, i) => stream(`Loading-Dock-${i + 1}`)),
  stream('lobby'),
  stream('north_gate'),
  ...Array.from({ length: 132 }, (_, i) => stream(`office.floor${(i % 4) + 1}.cam${i + 1}`)),
];

describe('finding cameras', () => {
  it('finds any part of a name, ignoring case: "dock", "Lob" and "lo" all work', () => {
    expect(filterStreams(site, 'dock', {}).map((s) => s.name)).toEqual(['Loading-Dock-1', 'Loading-Dock-2', 'Loading-Dock-3', 'Loading-Dock-4', 'Loading-Dock-5', 'Loading-Dock-6']);
    expect(filterStreams(site, 'Lob', {}).map((s) => s.name)).toEqual(['lobby']);
    expect(filterStreams(site, 'lo', {}).map((s) => s.name)).toContain('lobby');
    expect(filterStreams(site, 'lo', {}).map((s) => s.name)).toContain('Loading-Dock-3');
    expect(filterStreams(site, 'lo', {}).map((s) => s.name)).toContain('office.floor1.cam1');
  });

  it('treats - _ . and spaces alike, and every word must match', () => {
    expect(filterStreams(site, 'loading dock 2', {}).map((s) => s.name)).toEqual(['Loading-Dock-2']);
    expect(filterStreams(site, 'north gate', {}).map((s) => s.name)).toEqual(['north_gate']);
    expect(filterStreams(site, 'floor3 cam19', {}).map((s) => s.name)).toEqual(['office.floor3.cam19']);
    expect(filterStreams(site, '  ', {})).toHaveLength(site.length);
    expect(filterStreams(site, 'nothing-like-this', {})).toEqual([]);
  });

  it('also finds a camera by its tag values', () => {
    expect(matches(stream('cam-17'), 'dock', { site: 'Dock B' })).toBe(true);
    expect(matches(stream('cam-17'), 'dock', { site: 'Yard' })).toBe(false);
  });

  it('groups by a tag, naturally ordered, untagged last; keys by how widely they are used', () => {
    const tags = { 'cam-10': { site: 'B', floor: '1' }, 'cam-2': { site: 'B' }, 'cam-1': { site: 'A' } };
    const names = ['cam-1', 'cam-2', 'cam-10', 'cam-3'].map(stream);
    expect(tagKeys(tags)).toEqual(['site', 'floor']);
    expect(groupByTag(names, tags, 'site').map((g) => [g.value, g.streams.map((s) => s.name)])).toEqual([
      ['A', ['cam-1']],
      ['B', ['cam-2', 'cam-10']],
      [null, ['cam-3']],
    ]);
    expect(groupByTag(names, tags, 'floor').map((g) => g.value)).toEqual(['1', null]);
  });
});
