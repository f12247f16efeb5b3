import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway home folder with `~/.aws/config`, `~/.aws/credentials` and the SSO token cache, for the
 * AWS SDK's credential providers to read instead of the real ones. The environment variables the SDK
 * reads (HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE …) are set for this process
 * until `restore`, and every AWS_* variable that could leak real credentials in is cleared.
 */
export interface AwsHome {
  readonly dir: string;
  writeConfig(text: string): Promise<void>;
  writeCredentials(text: string): Promise<void>;
  /** What `aws sso login` leaves for a legacy SSO profile: the token file named after the start URL. */
  writeSsoToken(startUrl: string, token: { accessToken: string; expiresAt: Date; region: string }): Promise<string>;
  /** A credential_process script: prints `json()` as its output and counts its runs in a file. */
  writeCredentialProcess(name: string, output: Record<string, unknown>): Promise<{ command: string; runsFile: string }>;
  /** The environment a child process needs to see this home (and no keychain of its own). */
  env(): NodeJS.ProcessEnv;
  restore(): Promise<void>;
}

const CLEARED = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];

export async function createAwsHome(): Promise<AwsHome> {
  const dir = await mkdtemp(join(tmpdir(), 'kvs-wall-aws-home-'));
  await mkdir(join(dir, '.aws', 'sso', 'cache'), { recursive: true });
  const configFile = join(dir, '.aws', 'config');
  const credentialsFile = join(dir, '.aws', 'credentials');
  await writeFile(configFile, '');
  await writeFile(credentialsFile, '');
  const saved = new Map<string, string | undefined>();
  const set = (name: string, value: string | undefined) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  set('HOME', dir);
  set('AWS_CONFIG_FILE', configFile);
  set('AWS_SHARED_CREDENTIALS_FILE', credentialsFile);
  // No instance-metadata probing from a test machine: the default chain must fail fast, not wait on 169.254.169.254.
  set('AWS_EC2_METADATA_DISABLED', 'true');
  for (const name of CLEARED) set(name, undefined);

  return {
    dir,
    writeConfig: (text) => writeFile(configFile, text),
    writeCredentials: (text) => writeFile(credentialsFile, text),
    async writeSsoToken(startUrl, token) {
      const file = join(dir, '.aws', 'sso', 'cache', `${createHash('sha1').update(startUrl).digest('hex')}.json`);
      await writeFile(file, JSON.stringify({ startUrl, region: token.region, accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString() }));
      return file;
    },
    async writeCredentialProcess(name, output) {
      const script = join(dir, `${name}.mjs`);
      const runsFile = join(dir, `${name}.runs`);
      await writeFile(
        script,
        [
          "import { appendFileSync } from 'node:fs';",
          `appendFileSync(${JSON.stringify(runsFile)}, 'run\\n');`,
          `const output = ${JSON.stringify(output)};`,
          // Expiration as seconds from now, so the script's answer stays temporary each time it runs.
          "if (typeof output.ExpiresInSeconds === 'number') { output.Expiration = new Date(Date.now() + output.ExpiresInSeconds * 1000).toISOString(); delete output.ExpiresInSeconds; }",
          'process.stdout.write(JSON.stringify(output));',
        ].join('\n'),
      );
      return { command: `"${process.execPath}" "${script}"`, runsFile };
    },
    env() {
      const env: NodeJS.ProcessEnv = {};
      for (const name of ['HOME', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED']) env[name] = process.env[name];
      return env;
    },
    async restore() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
