import { parseKnownFiles } from '@smithy/core/config';
import { AwsProfileSchema, type AwsProfile } from '../../shared/model';

/**
 * The user's shared AWS config and credentials files (`~/.aws/config`, `~/.aws/credentials`, or
 * AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), parsed by the AWS SDK's own loader, never by us.
 * Only names and what kind of credentials a profile uses leave this module; keys never do.
 */
type ProfileSection = Record<string, string | undefined>;
type Profiles = Record<string, ProfileSection>;

/** Sections of the config file that are not profiles, as the SDK's loader keys them. */
const NON_PROFILE_SECTION = /^(?:sso-session|services)\./;

async function readProfiles(): Promise<Profiles> {
  // ignoreCache: the SDK keeps a file's first reading for the whole process; a profile added since must show.
  const all = (await parseKnownFiles({ ignoreCache: true })) as Profiles;
  return Object.fromEntries(Object.entries(all).filter(([name]) => !NON_PROFILE_SECTION.test(name)));
}

function sourceOf(section: ProfileSection): AwsProfile['source'] {
  if (section['role_arn'] && section['web_identity_token_file']) return 'web-identity';
  if (section['role_arn']) return 'role';
  if (section['sso_session'] || section['sso_start_url'] || section['sso_account_id']) return 'sso';
  if (section['credential_process']) return 'process';
  if (section['aws_access_key_id']) return 'static';
  return 'other';
}

/** Every profile a user could pick, sorted by name. A profile name the contract can't carry is left out. */
export async function listAwsProfiles(): Promise<AwsProfile[]> {
  const profiles = await readProfiles();
  const out: AwsProfile[] = [];
  for (const [name, section] of Object.entries(profiles)) {
    const candidate = AwsProfileSchema.safeParse({ name, source: sourceOf(section), ...(section['region'] ? { region: section['region'] } : {}) });
    if (candidate.success) out.push(candidate.data);
    else {
      const withoutRegion = AwsProfileSchema.safeParse({ name, source: sourceOf(section) });
      if (withoutRegion.success) out.push(withoutRegion.data);
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name)).slice(0, 500);
}

export interface ProfileFacts {
  exists: boolean;
  /**
   * The profile whose IAM Identity Center sign-in the chain depends on: the profile itself, or the
   * first `source_profile` down its chain with SSO settings. `aws sso login --profile <it>` renews it.
   */
  ssoProfile?: string;
  /** Somewhere in the chain a role is assumed with an MFA code. */
  usesMfa: boolean;
}

/** What a profile's chain depends on, to tell a person exactly what to do when it fails. */
export async function profileFacts(name: string): Promise<ProfileFacts> {
  const profiles = await readProfiles();
  const visited = new Set<string>();
  let current: string | undefined = name;
  let ssoProfile: string | undefined;
  let usesMfa = false;
  while (current !== undefined && !visited.has(current)) {
    visited.add(current);
    const section: ProfileSection | undefined = profiles[current];
    if (!section) break;
    if (section['mfa_serial']) usesMfa = true;
    if (!ssoProfile && sourceOf(section) === 'sso') ssoProfile = current;
    current = section['source_profile'];
  }
  return { exists: profiles[name] !== undefined, ...(ssoProfile ? { ssoProfile } : {}), usesMfa };
}
