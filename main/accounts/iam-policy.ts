import { partitionOf } from './validation';

/** Every Kinesis Video Streams action KVS Wall uses on a stream (ListStreams aside, which has no resource). */
export const STREAM_ACTIONS = [
  'kinesisvideo:DescribeStream',
  'kinesisvideo:GetDataEndpoint',
  'kinesisvideo:GetDASHStreamingSessionURL',
  'kinesisvideo:ListFragments',
  'kinesisvideo:GetClip',
  'kinesisvideo:GetImages',
  'kinesisvideo:ListTagsForStream',
] as const;

/**
 * The least-privilege IAM policy for KVS Wall: list streams (an action without resource-level
 * permissions), then read-only playback actions on the account's streams in one region. No write
 * action, no PutMedia. sts:GetCallerIdentity needs no permission. With no region or account known
 * the resource uses wildcards.
 */
export function iamPolicy(options: { region?: string; account?: string } = {}): string {
  const partition = options.region ? partitionOf(options.region) : 'aws';
  const account = options.account && /^\d{12}$/.test(options.account) ? options.account : '*';
  const region = options.region ?? '*';
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'KvsWallListStreams', Effect: 'Allow', Action: ['kinesisvideo:ListStreams'], Resource: '*' },
      { Sid: 'KvsWallViewStreams', Effect: 'Allow', Action: [...STREAM_ACTIONS], Resource: `arn:${partition}:kinesisvideo:${region}:${account}:stream/*/*` },
    ],
  };
  return JSON.stringify(policy, null, 2);
}
