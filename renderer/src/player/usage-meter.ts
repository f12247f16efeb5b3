/**
 * What a tile's players fetched from KVS, per session, between two reports. Under the `points` quota
 * model every manifest and fragment GET spends a stream's shared points, so main counts them all; the
 * page sends these counts with each heartbeat.
 */

/** The KVS GET a player request is, by what KVS prices: manifests (metadata points), inits, fragments (media points). */
export type KvsRequestKind = 'manifests' | 'inits' | 'fragments';

export interface SessionUsage {
  sessionId: string;
  manifests: number;
  inits: number;
  fragments: number;
  throttled: number;
}

/**
 * The kind of KVS GET a URL is, by its file name (KVS's own: getDASHManifest.mpd, getMP4InitFragment.mp4,
 * getMP4MediaFragment.mp4); anything else is not a KVS playback request.
 */
export function kvsRequestKind(uri: string): KvsRequestKind | undefined {
  let path: string;
  try {
    path = new URL(uri).pathname;
  } catch {
    return undefined;
  }
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (file === 'getDASHManifest.mpd') return 'manifests';
  if (file === 'getMP4InitFragment.mp4') return 'inits';
  if (file === 'getMP4MediaFragment.mp4') return 'fragments';
  return undefined;
}

/** The throttling answer KVS gives when a stream's or a session's limit is spent. */
export const THROTTLED_ERROR_TYPE = 'ClientLimitExceededException';

export class UsageMeter {
  private counts = new Map<string, SessionUsage>();
  /** Sessions whose latest answer was a throttle: further throttles belong to the same burst. */
  private readonly inBurst = new Set<string>();

  private entry(sessionId: string): SessionUsage {
    let usage = this.counts.get(sessionId);
    if (!usage) this.counts.set(sessionId, (usage = { sessionId, manifests: 0, inits: 0, fragments: 0, throttled: 0 }));
    return usage;
  }

  /** One request sent (each attempt counts: a retry is another request KVS answers). */
  request(sessionId: string, kind: KvsRequestKind): void {
    this.entry(sessionId)[kind] += 1;
  }

  /** A request on this session got an answer that was not a throttle: any burst is over. */
  answered(sessionId: string): void {
    this.inBurst.delete(sessionId);
  }

  /**
   * A request on this session was refused as throttled. True when this starts a burst (the first
   * throttle since the session's last other answer): that one is worth telling main about.
   */
  throttled(sessionId: string): boolean {
    this.entry(sessionId).throttled += 1;
    if (this.inBurst.has(sessionId)) return false;
    this.inBurst.add(sessionId);
    return true;
  }

  /** The counts since the last call, sessions with nothing counted left out; the meter starts again at zero. */
  take(): SessionUsage[] {
    const taken = [...this.counts.values()].filter((u) => u.manifests + u.inits + u.fragments + u.throttled > 0);
    this.counts = new Map();
    return taken;
  }

  /** Forget a session's burst state once no player uses it any more. */
  forget(sessionId: string): void {
    this.inBurst.delete(sessionId);
  }
}
