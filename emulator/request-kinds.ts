/** The POST operations the emulator serves, by their rest-json path name. */
export const OPERATIONS = [
  'listStreams',
  'describeStream',
  'getDataEndpoint',
  'createStream',
  'deleteStream',
  'listTagsForStream',
  'tagStream',
  'untagStream',
  'getDASHStreamingSessionURL',
  'listFragments',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The session-token GETs a player makes, by their action name. */
export const MEDIA_ACTIONS = ['getDASHManifest', 'getMP4InitFragment', 'getMP4MediaFragment'] as const;
export type MediaAction = (typeof MEDIA_ACTIONS)[number];

/** The STS query actions (`Action=GetCallerIdentity` → `getCallerIdentity`). */
export const STS_KINDS = ['getCallerIdentity', 'assumeRole'] as const;
export type StsKind = (typeof STS_KINDS)[number];

/** Every kind of request counted, delayed or failed on purpose. */
export const REQUEST_KINDS = [...OPERATIONS, ...MEDIA_ACTIONS, ...STS_KINDS] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export function isOperation(name: string): name is Operation {
  return (OPERATIONS as readonly string[]).includes(name);
}

/** The kind of an STS `Action` parameter, if the emulator serves it. */
export function stsKindOf(action: string | null): StsKind | undefined {
  if (!action) return undefined;
  const kind = action.charAt(0).toLowerCase() + action.slice(1);
  return (STS_KINDS as readonly string[]).includes(kind) && /^[A-Z]/.test(action) ? (kind as StsKind) : undefined;
}
