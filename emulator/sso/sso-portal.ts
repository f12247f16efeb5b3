import { randomBytes } from 'node:crypto';

/**
 * The IAM Identity Center (SSO) portal's GetRoleCredentials, as `aws sso login` users meet it: the CLI
 * caches an access token in `~/.aws/sso/cache/*.json`, and the AWS SDK trades that token for a role's
 * temporary credentials here. The emulator has no sign-in flow (no SSO-OIDC): tests mint tokens through
 * the portal's control methods and write them into the cache file themselves, as `aws sso login` would.
 */

/** Temporary credentials as the emulator's credential store issues them (accepted by KVS and STS). */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiresMs: number;
}

export interface SsoPortalOptions {
  readonly now: () => number;
  /** The emulated AWS account: the only one a token grants roles in. */
  readonly accountId: string;
  /** Issues temporary credentials for a role session (the emulator's credential store). */
  readonly issue: (roleArn: string, sessionName: string, expiresMs: number) => IssuedCredentials;
  /** Whether tokens may be minted (test controls). Without it the portal refuses every token. */
  readonly testControls: boolean;
}

/** An SSO error as the service sends it: the SDK resolves the class from the name. */
export class SsoError extends Error {
  constructor(
    readonly errorName: 'UnauthorizedException' | 'InvalidRequestException' | 'ForbiddenException' | 'TooManyRequestsException',
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = errorName;
  }
}

interface Grant {
  readonly expiresMs: number;
  /** Permission sets (role names) the signed-in user may use. */
  readonly roles: ReadonlySet<string>;
  /** How long each role's credentials last, like a permission set's session duration. */
  readonly roleSeconds: number;
}

export interface SsoTokenOptions {
  /** Seconds until the access token expires (the `expiresAt` of the cache file). */
  ttlSeconds: number;
  /** Role names granted; default one role, `KvsViewer`. */
  roles?: readonly string[];
  /** Seconds each role's credentials last (a permission set allows 1–12 h; tests use seconds). */
  roleSeconds?: number;
}

export interface SsoCounters {
  /** GetRoleCredentials calls answered with credentials. */
  issued: number;
  /** Calls refused, by error name. */
  refused: Record<string, number>;
}

export const DEFAULT_SSO_ROLE = 'KvsViewer';
const DEFAULT_ROLE_SECONDS = 3600;
/** Tokens kept at most; the oldest are forgotten first (only the control API creates them). */
const MAX_TOKENS = 1000;

export class SsoPortal {
  private readonly tokens = new Map<string, Grant>();
  private readonly counts: SsoCounters = { issued: 0, refused: {} };

  constructor(private readonly options: SsoPortalOptions) {}

  /** What `aws sso login` would leave in the cache: a new access token and when it expires. */
  issueToken(options: SsoTokenOptions): { accessToken: string; expiresAt: Date } {
    if (!this.options.testControls) throw new Error('The emulator was started without testControls; SSO tokens cannot be issued.');
    const expiresMs = this.options.now() + Math.round(options.ttlSeconds * 1000);
    const accessToken = `aoa${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, { expiresMs, roles: new Set(options.roles ?? [DEFAULT_SSO_ROLE]), roleSeconds: options.roleSeconds ?? DEFAULT_ROLE_SECONDS });
    while (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
    return { accessToken, expiresAt: new Date(expiresMs) };
  }

  /** Signs every user out (`aws sso logout`, or the admin ending sessions). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  counters(): SsoCounters {
    return { issued: this.counts.issued, refused: { ...this.counts.refused } };
  }

  /** GetRoleCredentials: the role's credentials for a valid token, or the error the service gives. */
  getRoleCredentials(accessToken: string | undefined, accountId: string | null, roleName: string | null): { roleCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number } } {
    try {
      if (!roleName || !accountId) throw new SsoError('InvalidRequestException', 'The request is missing role_name or account_id.', 400);
      if (!/^\d{12}$/.test(accountId)) throw new SsoError('InvalidRequestException', 'account_id must be a 12-digit AWS account id.', 400);
      const grant = accessToken ? this.tokens.get(accessToken) : undefined;
      if (!grant || grant.expiresMs <= this.options.now()) throw new SsoError('UnauthorizedException', 'Session token not found or invalid', 401);
      if (accountId !== this.options.accountId || !grant.roles.has(roleName)) throw new SsoError('ForbiddenException', 'No access', 403);
      const roleArn = `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${roleName}_0123456789abcdef`;
      // Whole seconds, as AWS reports them.
      const expiresMs = Math.floor((this.options.now() + grant.roleSeconds * 1000) / 1000) * 1000;
      const issued = this.options.issue(roleArn, 'kvs-wall-sso-user', expiresMs);
      this.counts.issued++;
      return { roleCredentials: { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken, expiration: issued.expiresMs } };
    } catch (err) {
      if (err instanceof SsoError) this.counts.refused[err.errorName] = (this.counts.refused[err.errorName] ?? 0) + 1;
      throw err;
    }
  }
}
