import { randomBytes } from 'node:crypto';
import type { Clip, Timeline } from '../media/api';
import { KvsError, streamNotFound } from '../errors';
import type { StreamRecord } from './stream';

export interface NewStream {
  name: string;
  mediaType?: string;
  dataRetentionInHours: number;
  deviceName?: string;
  kmsKeyId?: string;
  tags?: Readonly<Record<string, string>>;
  media?: { clip: Clip; timeline: Timeline };
}

const STREAM_ARN_RE = /^arn:aws:kinesisvideo:([a-z0-9-]+):([0-9]+):stream\/([a-zA-Z0-9_.-]+)\/([0-9]+)$/;

function randomVersion(): string {
  // KVS versions are opaque strings; 20 lower-case letters like real ones.
  return Array.from(randomBytes(20), (b) => String.fromCharCode(97 + (b % 26))).join('');
}

/** The streams of the emulated account, by name, in creation order. */
export class StreamRegistry {
  private readonly streams = new Map<string, StreamRecord>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly now: () => number,
  ) {}

  create(spec: NewStream): StreamRecord {
    if (this.streams.has(spec.name)) {
      throw new KvsError('ResourceInUseException', `The stream ${spec.name} already exists.`);
    }
    // A camera's stream existed before its archive began; an API-created one is new.
    const creationTimeMs = spec.media ? Math.min(this.now(), spec.media.timeline.originMs) : this.now();
    const kvsCodecId = spec.media?.clip.kvsCodecId ?? 'V_MPEG4/ISO/AVC';
    const record: StreamRecord = {
      name: spec.name,
      arn: `arn:aws:kinesisvideo:${this.region}:${this.accountId}:stream/${spec.name}/${creationTimeMs}`,
      creationTimeMs,
      mediaType: spec.mediaType,
      dataRetentionInHours: spec.dataRetentionInHours,
      deviceName: spec.deviceName,
      kmsKeyId: spec.kmsKeyId ?? `arn:aws:kms:${this.region}:${this.accountId}:alias/aws/kinesisvideo`,
      version: randomVersion(),
      status: 'ACTIVE',
      tags: new Map(Object.entries(spec.tags ?? {})),
      media: spec.media,
      codec: { kvsCodecId, hasCodecPrivateData: spec.media?.clip.codec !== '', generation: 0, sinceMs: 0 },
      codecHistory: [],
    };
    this.streams.set(spec.name, record);
    return record;
  }

  delete(name: string): void {
    this.streams.delete(name);
  }

  all(): StreamRecord[] {
    return [...this.streams.values()];
  }

  byName(name: string): StreamRecord | undefined {
    return this.streams.get(name);
  }

  /** Resolves StreamName or StreamARN as KVS does: exactly one identifies the stream, and both must agree. */
  resolve(streamName: string | undefined, streamArn: string | undefined): StreamRecord {
    if (streamName === undefined && streamArn === undefined) {
      throw new KvsError('InvalidArgumentException', 'You must specify either the StreamName or the StreamARN.');
    }
    let byArn: StreamRecord | undefined;
    if (streamArn !== undefined) {
      const m = STREAM_ARN_RE.exec(streamArn);
      if (!m) throw new KvsError('InvalidArgumentException', `StreamARN '${streamArn}' is not a valid stream ARN.`);
      byArn = this.streams.get(m[3] ?? '');
      if (!byArn || byArn.arn !== streamArn) throw streamNotFound();
    }
    if (streamName !== undefined) {
      const byName = this.streams.get(streamName);
      if (!byName) throw streamNotFound();
      if (byArn && byArn !== byName) {
        throw new KvsError('InvalidArgumentException', 'StreamName and StreamARN identify different streams.');
      }
      return byName;
    }
    if (!byArn) throw streamNotFound();
    return byArn;
  }
}
