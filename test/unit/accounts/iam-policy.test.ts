import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iamPolicy } from '../../../main/accounts/iam-policy';
import { keychainHelp } from '../../../main/accounts/keychain-help';

interface Policy {
  Statement: Array<{ Action: string[]; Resource: string }>;
}

describe('the least-privilege IAM policy', () => {
  it('grants exactly the read-only actions KVS Wall uses, scoped to the account and region when known', () => {
    const policy = JSON.parse(iamPolicy({ region: 'eu-west-1', account: '123456789012' })) as Policy;
    expect(policy.Statement.map((s) => s.Resource)).toEqual(['*', 'arn:aws:kinesisvideo:eu-west-1:123456789012:stream/*/*']);
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions.every((a) => /^kinesisvideo:(List|Describe|Get)/.test(a))).toBe(true);
    expect(actions).not.toContain('kinesisvideo:PutMedia');
    expect(JSON.parse(iamPolicy({ region: 'cn-north-1' })).Statement[1].Resource).toBe('arn:aws-cn:kinesisvideo:cn-north-1:*:stream/*/*');
  });

  it('is the one printed in the README', async () => {
    const readme = await readFile(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
    const block = /\*\*Least-privilege IAM policy\*\*[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const documented = JSON.parse(block!) as Policy;
    const actual = JSON.parse(iamPolicy()) as Policy;
    expect(documented.Statement.map((s) => s.Action)).toEqual(actual.Statement.map((s) => s.Action));
  });
});

describe('keychain help', () => {
  it('names what is missing on each platform and always offers the kinds that need no secret', () => {
    expect(keychainHelp('linux').explanation).toMatch(/Secret Service.*GNOME Keyring or KWallet/);
    expect(keychainHelp('linux').steps.join(' ')).toMatch(/auto-login kiosk/);
    expect(keychainHelp('darwin').explanation).toMatch(/login keychain/);
    expect(keychainHelp('win32').explanation).toMatch(/Credential Manager/);
    for (const platform of ['linux', 'darwin', 'win32', 'freebsd']) expect(keychainHelp(platform).steps.at(-1)).toMatch(/AWS profile or with the default credential chain/);
  });
});
