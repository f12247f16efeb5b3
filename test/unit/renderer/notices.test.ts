import { describe, expect, it } from 'vitest';
import type { AppNotice } from '../../../shared/contract';
import { mergeNotices, noticeText } from '../../../renderer/src/app/notices';

const notice = (id: string, file: string, reason: AppNotice['reason'] = 'corrupt'): AppNotice => ({ id, file, movedTo: `${file}.corrupt-20251124T214700123Z`, reason, at: 1 });

describe('store notice banner text', () => {
  it('names the kind of file, the reason, where the original is and what the app did instead', () => {
    expect(noticeText(notice('n1', 'walls.json'))).toBe(
      'Your walls file could not be read (it is damaged or unreadable). It was kept as walls.json.corrupt-20251124T214700123Z; KVS Wall started with empty walls.',
    );
    expect(noticeText(notice('n2', 'settings.json', 'future-version'))).toMatch(/^Your settings file could not be read \(it was saved by a newer version of KVS Wall\)\. .*default settings\.$/);
    expect(noticeText(notice('n3', 'accounts.json'))).toMatch(/^Your accounts file .*no saved accounts\.$/);
    expect(noticeText(notice('n4', 'sessions-ledger.json'))).toMatch(/^The record of open streaming sessions /);
    expect(noticeText(notice('n5', 'cache/streams-abc.json'))).toMatch(/^A cached camera list .*kept as cache\/streams-abc\.json\.corrupt-.*fetch the list from AWS again\.$/);
    expect(noticeText(notice('n6', 'cache/endpoints-abc.json'))).toMatch(/^A cached list of stream endpoints /);
    expect(noticeText(notice('n7', 'other.json'))).toMatch(/^The file other\.json could not be read .*defaults in its place\.$/);
  });
});

describe('merging notices from the list call and the event', () => {
  it('shows each id once, in arrival order', () => {
    const a = notice('a', 'settings.json');
    const b = notice('b', 'walls.json');
    expect(mergeNotices([b], [a, b], new Set())).toEqual([b, a]);
  });

  it('does not bring back a notice the user dismissed while the list was on its way', () => {
    const a = notice('a', 'settings.json');
    const b = notice('b', 'walls.json');
    expect(mergeNotices([], [a, b], new Set(['a']))).toEqual([b]);
  });
});
