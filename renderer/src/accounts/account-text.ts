import type { AccountSummary, CredentialStatus } from '../../../shared/model';

/** One line saying where an account's credentials come from, with no secret in it. */
export function sourceText(account: AccountSummary): string {
  switch (account.kind) {
    case 'keys': {
      const key = account.accessKeyId.length > 8 ? `${account.accessKeyId.slice(0, 4)}…${account.accessKeyId.slice(-4)}` : account.accessKeyId;
      return `Access key ${key}${account.hasSessionToken ? ' (temporary)' : ''}${account.roleArn ? `, assumes ${account.roleArn.replace(/^arn:[^:]+:iam::/, '')}` : ''}`;
    }
    case 'profile':
      return `AWS profile ${account.profile}`;
    case 'chain':
      return 'Default credential chain (environment, container or instance role)';
    case 'demo':
      return account.hidden ? 'Built-in demo cameras, hidden from the camera picker' : 'Built-in demo cameras';
  }
}

/** What removing an account does, said before it is done. */
export function removalText(account: AccountSummary): string[] {
  const lines: string[] = [];
  if (account.kind === 'keys') lines.push('Its secret access key is deleted from the system keychain.');
  if (account.kind === 'profile') lines.push('Your AWS config and credentials files are not touched.');
  lines.push(
    'Its cached camera list and stream endpoints are deleted, and the streaming sessions it holds are dropped.',
    'Walls keep their tiles for its cameras, which stop playing until you place other cameras there.',
    'Nothing changes in AWS: the streams and the IAM user or role stay as they are.',
  );
  return lines;
}

/** How an account's credentials are doing, in a few words, for its row in the list. */
export function statusText(status: CredentialStatus | undefined, now = Date.now()): string {
  if (!status) return '';
  if (status.state === 'ok') return status.expiresAt ? `Credentials OK, renewed before ${clock(status.expiresAt)}` : 'Credentials OK';
  const until = status.expiresAt && status.expiresAt > now ? ` Tiles keep playing until ${clock(status.expiresAt)}.` : '';
  return `${status.error?.message ?? 'The credentials could not be renewed.'}${until}`;
}

export function clock(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
