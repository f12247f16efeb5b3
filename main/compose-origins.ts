import type { AccountSummary } from '../shared/model';
import { mediaOrigins } from './app/policy/csp';

/**
 * The media origins for the CSP: each AWS account's KVS hosts (or its custom endpoint), plus the
 * demo cameras when they are enabled. The demo account's own summary carries no endpoint, so it is
 * represented by the embedded emulator's origin instead of an AWS region.
 */
export function contentSecurityPolicySources(accounts: readonly AccountSummary[], demoOrigin: string | undefined): string[] {
  return mediaOrigins(
    accounts.filter((a) => a.kind !== 'demo'),
    demoOrigin ? [demoOrigin] : [],
  );
}
