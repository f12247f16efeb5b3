import type { StreamRecord } from '../streams/stream';

/** The StreamInfo shape of DescribeStream and ListStreams, with CreationTime in epoch seconds. */
export function streamInfo(stream: StreamRecord): Record<string, unknown> {
  return {
    ...(stream.deviceName !== undefined && { DeviceName: stream.deviceName }),
    StreamName: stream.name,
    StreamARN: stream.arn,
    ...(stream.mediaType !== undefined && { MediaType: stream.mediaType }),
    KmsKeyId: stream.kmsKeyId,
    Version: stream.version,
    Status: stream.status,
    CreationTime: stream.creationTimeMs / 1000,
    DataRetentionInHours: stream.dataRetentionInHours,
  };
}
