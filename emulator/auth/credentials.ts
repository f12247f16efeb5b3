import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { KeyLookup, SigningKeyPair } from './sigv4';

/** Who a request was signed by, as STS GetCallerIdentity reports it. */
export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
  /** Set for temporary credentials: assuming a role with them is role chaining. */
  readonly temporary: boolean;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresMs: number;
}

/** The emulator's IAM user, owner of the configured long-term keys. */
export const EMULATOR_USER_NAME = 'kvs-wall-demo';
/** The role behind the `sessionCredentials` option's fixed temporary keys. */
export const FIXED_SESSION_ROLE_NAME = 'kvs-emulator-session';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

export interface RoleArnParts {
  readonly account: string;
  readonly name: string;
}

export function parseRoleArn(arn: string): RoleArnParts | undefined {
  const m = ROLE_ARN.exec(arn);
  return m?.[1] && m[2] ? { account: m[1], name: m[2] } : undefined;
}

/** IAM unique ids are a 4-letter type prefix and 17 upper-case letters and digits; ours derive from a name so they stay stable. */
function uniqueId(prefix: 'AIDA' | 'AROA', from: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(from).digest();
  return prefix + Array.from(digest.subarray(0, 17), (b) => alphabet[b % 32]).join('');
}

export function assumedRoleIdentity(roleArn: string, sessionName: string): CallerIdentity {
  const role = parseRoleArn(roleArn);
  if (!role) throw new Error(`not a role ARN: ${roleArn}`);
  return {
    account: role.account,
    arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
    userId: `${uniqueId('AROA', roleArn)}:${sessionName}`,
    temporary: true,
  };
}

/** What a session token carries; it is signed, so the emulator keeps no table of issued credentials. */
const TokenPayload = z.object({ v: z.literal(1), k: z.string(), e: z.number(), r: z.string(), s: z.string() });
const TOKEN_VERSION = 1;
const MAC_BYTES = 32;

/**
 * The keys the emulator accepts. Long-term keys (and the fixed temporary keys of the
 * `sessionCredentials` option) are configured; AssumeRole issues more. Issued credentials are
 * stateless: the session token holds the key id, expiry, role and session name under an HMAC with
 * this emulator's own secret, and the secret key derives from the key id, so memory stays flat however
 * many are issued, and an expired token is still recognised as expired (not unknown), as AWS does.
 */
export class CredentialStore {
  private readonly configured = new Map<string, { key: SigningKeyPair; identity: CallerIdentity }>();
  private readonly secret = randomBytes(32);

  constructor(accountId: string, longTerm: SigningKeyPair, fixedTemporary: ReadonlyArray<Required<SigningKeyPair>> = []) {
    this.configured.set(longTerm.accessKeyId, {
      key: { accessKeyId: longTerm.accessKeyId, secretAccessKey: longTerm.secretAccessKey },
      identity: { account: accountId, arn: `arn:aws:iam::${accountId}:user/${EMULATOR_USER_NAME}`, userId: uniqueId('AIDA', longTerm.accessKeyId), temporary: false },
    });
    for (const key of fixedTemporary) {
      this.configured.set(key.accessKeyId, { key, identity: assumedRoleIdentity(`arn:aws:iam::${accountId}:role/${FIXED_SESSION_ROLE_NAME}`, key.accessKeyId) });
    }
  }

  lookup(accessKeyId: string, sessionToken: string | undefined, nowMs: number): KeyLookup<CallerIdentity> {
    const configured = this.configured.get(accessKeyId);
    if (configured) {
      // A long-term key must come without a token; fixed temporary keys with exactly theirs.
      if ((configured.key.sessionToken ?? undefined) !== sessionToken) return 'unknown';
      return { secretAccessKey: configured.key.secretAccessKey, identity: configured.identity };
    }
    if (sessionToken === undefined) return 'unknown';
    const payload = this.readToken(sessionToken);
    if (!payload || payload.k !== accessKeyId) return 'unknown';
    if (payload.e <= nowMs) return 'expired';
    return { secretAccessKey: this.secretFor(accessKeyId), identity: assumedRoleIdentity(payload.r, payload.s) };
  }

  /** New temporary credentials for a role session, valid until `expiresMs`. */
  issue(roleArn: string, sessionName: string, expiresMs: number): TemporaryCredentials {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const accessKeyId = `ASIA${Array.from(randomBytes(16), (b) => alphabet[b % 32]).join('')}`;
    const payload = Buffer.from(JSON.stringify({ v: TOKEN_VERSION, k: accessKeyId, e: expiresMs, r: roleArn, s: sessionName }), 'utf8');
    const mac = createHmac('sha256', this.secret).update(payload).digest();
    const sessionToken = Buffer.concat([Buffer.from([TOKEN_VERSION]), mac, payload]).toString('base64');
    return { accessKeyId, secretAccessKey: this.secretFor(accessKeyId), sessionToken, expiresMs };
  }

  private secretFor(accessKeyId: string): string {
    // 40 characters of base64, the shape of an AWS secret access key.
    return createHmac('sha256', this.secret).update(`secret:${accessKeyId}`).digest('base64').slice(0, 40);
  }

  private readToken(token: string): z.infer<typeof TokenPayload> | undefined {
    if (token.length > 4096 || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64');
    if (bytes.length <= 1 + MAC_BYTES || bytes[0] !== TOKEN_VERSION) return undefined;
    const mac = bytes.subarray(1, 1 + MAC_BYTES);
    const payload = bytes.subarray(1 + MAC_BYTES);
    const expected = createHmac('sha256', this.secret).update(payload).digest();
    if (!timingSafeEqual(mac, expected)) return undefined;
    try {
      const parsed = TokenPayload.safeParse(JSON.parse(payload.toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
