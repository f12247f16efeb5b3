import { z } from 'zod';
import { KvsError } from '../errors';
import { int, oneOf, parseRequest, StreamArnField, StreamNameField, TagMapField, text } from '../http/validation';
import type { ServiceContext } from '../service-context';
import { MAX_TAGS_PER_STREAM, tooManyTags } from '../streams/tags';
import { decodePageToken, encodePageToken } from './page-token';
import { streamInfo } from './stream-info';

const ListStreamsRequest = z.object({
  MaxResults: int(1, 10000).optional(),
  NextToken: text(0, 512, /^[a-zA-Z0-9+/=]*$/).optional(),
  StreamNameCondition: z
    .object({
      ComparisonOperator: oneOf(['BEGINS_WITH'] as const).optional(),
      ComparisonValue: text(1, 256, /^[a-zA-Z0-9_.-]+$/).optional(),
    })
    .optional(),
});

export function listStreams(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(ListStreamsRequest, body);
  ctx.quotas.require({ api: 'ListStreams', rate: 'listStreams' }, ctx.now());
  const prefix = req.StreamNameCondition?.ComparisonValue ?? '';
  const after = req.NextToken ? decodePageToken(req.NextToken) : undefined;
  const max = req.MaxResults ?? 10000;
  const matching = ctx.streams
    .all()
    .filter((s) => s.name.startsWith(prefix) && (after === undefined || s.name > after))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = matching.slice(0, max);
  const last = page[page.length - 1];
  return {
    StreamInfoList: page.map(streamInfo),
    ...(matching.length > max && last && { NextToken: encodePageToken(last.name) }),
  };
}

const StreamRef = {
  StreamName: StreamNameField.optional(),
  StreamARN: StreamArnField.optional(),
};

export function describeStream(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(z.object(StreamRef), body);
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  ctx.quotas.require({ api: 'DescribeStream', rate: 'describeStream', stream: stream.name }, ctx.now());
  return { StreamInfo: streamInfo(stream) };
}

const API_NAMES = [
  'PUT_MEDIA',
  'GET_MEDIA',
  'LIST_FRAGMENTS',
  'GET_MEDIA_FOR_FRAGMENT_LIST',
  'GET_HLS_STREAMING_SESSION_URL',
  'GET_DASH_STREAMING_SESSION_URL',
  'GET_CLIP',
  'GET_IMAGES',
] as const;

const GetDataEndpointRequest = z.object({ ...StreamRef, APIName: oneOf(API_NAMES) });

export function getDataEndpoint(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  if (body.APIName === undefined) {
    throw new KvsError('InvalidArgumentException', "1 validation error detected: Value null at 'APIName' failed to satisfy constraint: Member must not be null");
  }
  const req = parseRequest(GetDataEndpointRequest, body);
  const stream = ctx.streams.resolve(req.StreamName, req.StreamARN);
  ctx.quotas.require({ api: 'GetDataEndpoint', rate: 'getDataEndpoint', stream: stream.name }, ctx.now());
  // Every API of every stream is served here; real KVS returns a per-stream host, ours is loopback.
  return { DataEndpoint: ctx.origin() };
}

const CreateStreamRequest = z.object({
  StreamName: StreamNameField,
  DeviceName: text(1, 128, /^[a-zA-Z0-9_.-]+$/).optional(),
  MediaType: text(1, 128, /^[\w\-.+]+\/[\w\-.+]+(,[\w\-.+]+\/[\w\-.+]+)*$/).optional(),
  KmsKeyId: text(1, 2048).optional(),
  DataRetentionInHours: int(0, 87600).optional(),
  Tags: TagMapField.optional(),
});

export function createStream(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(CreateStreamRequest, body);
  if (req.Tags && req.Tags.length > MAX_TAGS_PER_STREAM) throw tooManyTags();
  const stream = ctx.streams.create({
    name: req.StreamName,
    mediaType: req.MediaType,
    dataRetentionInHours: req.DataRetentionInHours ?? 0,
    deviceName: req.DeviceName,
    kmsKeyId: req.KmsKeyId,
    tags: req.Tags && Object.fromEntries(req.Tags),
  });
  return { StreamARN: stream.arn };
}

const DeleteStreamRequest = z.object({ StreamARN: StreamArnField, CurrentVersion: text(1, 64).optional() });

export function deleteStream(body: Record<string, unknown>, ctx: ServiceContext): unknown {
  const req = parseRequest(DeleteStreamRequest, body);
  const stream = ctx.streams.resolve(undefined, req.StreamARN);
  if (req.CurrentVersion !== undefined && req.CurrentVersion !== stream.version) {
    throw new KvsError('VersionMismatchException', `The stream version ${req.CurrentVersion} is not the current version.`);
  }
  ctx.streams.delete(stream.name);
  ctx.sessions.revokeStream(stream.name);
  return {};
}
