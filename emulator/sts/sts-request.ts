import type { CallerIdentity } from '../auth/credentials';
import type { StsKind } from '../request-kinds';
import { assumeRole, checkParameters, getCallerIdentity, STS_API_VERSION, type StsAction, type StsContext } from './sts-actions';
import { StsError } from './sts-errors';
import { actionResponse } from './sts-xml';

/** STS shares the emulator's origin: `POST /` with a form body is an STS query; KVS never posts to `/`. */
export function isStsRequest(method: string | undefined, pathname: string, contentType: string | undefined): boolean {
  return method === 'POST' && pathname === '/' && (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

const ACTIONS: Record<StsKind, { name: string; run: StsAction }> = {
  getCallerIdentity: { name: 'GetCallerIdentity', run: getCallerIdentity },
  assumeRole: { name: 'AssumeRole', run: assumeRole },
};

/**
 * An Action the emulator does not serve. AWS's wording for query APIs is "Could not find operation X
 * for version Y"; the status (400) and code follow the common errors (InvalidAction, MissingAction).
 */
export function unknownAction(action: string | null, version: string | null): StsError {
  if (!action) return new StsError('MissingAction', 'Missing Action', 400);
  return new StsError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NONE'}`, 400);
}

/** Checks the Version and the parameters, before any work. */
export function checkStsRequest(kind: StsKind, params: URLSearchParams): void {
  const { name } = ACTIONS[kind];
  const version = params.get('Version');
  if (version !== STS_API_VERSION) throw unknownAction(name, version);
  checkParameters(name, params);
}

/** Runs the action and renders its XML answer. */
export function runStsAction(kind: StsKind, params: URLSearchParams, caller: CallerIdentity, ctx: StsContext, requestId: string): string {
  const { name, run } = ACTIONS[kind];
  return actionResponse(name, run(params, caller, ctx), requestId);
}
