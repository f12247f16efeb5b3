/** The POST operations the emulator serves, by their rest-json path name. */
export const OPERATIONS = [
  'listStreams',
  'describeStream',
  'getDataEndpoint',
  'createStream',
  'deleteStream',
  'getDASHStreamingSessionURL',
  'listFragments',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The session-token GETs a player makes, by their action name. */
export const MEDIA_ACTIONS = ['getDASHManifest', 'getMP4InitFragment', 'getMP4MediaFragment'] as const;
export type MediaAction = (typeof MEDIA_ACTIONS)[number];

/** Every kind of request counted, delayed or failed on purpose. */
export const REQUEST_KINDS = [...OPERATIONS, ...MEDIA_ACTIONS] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export function isOperation(name: string): name is Operation {
  return (OPERATIONS as readonly string[]).includes(name);
}
