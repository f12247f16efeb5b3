import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsHome, type AwsHome } from '../integration/main/aws-home';
import { callApp, probeTiles, ROOT, screenshot, startWallRig, waitAllLive, wallOf, type WallRig } from '../support/e2e-wall';

const CLIPS = join(ROOT, 'emulator', 'clips');
const CAMERAS = ['cam-a', 'cam-b'];
const START_URL = 'https://kvs-wall.awsapps.com/start';

/**
 * Temporary credentials on a live wall, with the AWS SDK's own providers reading a throwaway ~/.aws
 * and the emulator answering STS and the IAM Identity Center portal. Roles last seconds here (the
 * emulator's test controls allow it) and sessions 10 s, so both renew many times in a minute.
 */
describe('temporary credentials on a live wall', () => {
  let home: AwsHome;
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    home = await createAwsHome();
  });
  afterAll(async () => {
    await home?.restore();
  });
  beforeEach(async () => {
    rig = await startWallRig({
      emulator: { cameras: CAMERAS.map((name) => ({ name, file: join(CLIPS, 'lobby.mp4') })), minExpiresSeconds: 1 },
      addAccount: false,
      sessionTimings: { expiresSeconds: 10, renewLeadSeconds: 4 },
    });
    const e = rig.emulator!;
    await home.writeCredentials(`[source]\naws_access_key_id = ${e.credentials.accessKeyId}\naws_secret_access_key = ${e.credentials.secretAccessKey}\n`);
    await home.writeConfig(
      [
        `[profile short-role]\nrole_arn = arn:aws:iam::${e.accountId}:role/KvsViewer\nsource_profile = source\nduration_seconds = 5\n`,
        `[profile ops-sso]\nsso_start_url = ${START_URL}\nsso_region = us-east-1\nsso_account_id = ${e.accountId}\nsso_role_name = KvsViewer\n`,
        `[profile ops-viewer]\nrole_arn = arn:aws:iam::${e.accountId}:role/KvsViewer\nsource_profile = ops-sso\nduration_seconds = 8\n`,
      ].join('\n'),
    );
  }, 60_000);
  afterEach(async () => {
    await rig?.stop();
  });

  async function openWallOf(profile: string, name: string): Promise<string> {
    const e = rig.emulator!;
    const account = await callApp(rig.core, 'accounts.add', { kind: 'profile', name, region: e.region, profile, endpoint: e.url });
    page = await rig.open(wallOf(`wall-${profile}`, account.id, CAMERAS, 1));
    await waitAllLive(page, CAMERAS.length, 60_000);
    return account.id;
  }

  it('credentials that expire every 5 s renew on their own; tiles stay live and AWS never refuses a call as expired', async () => {
    const e = rig.emulator!;
    await openWallOf('short-role', 'Short role');
    e.control.resetCounters();
    const deadline = Date.now() + 25_000;
    while (Date.now() < deadline) {
      await page.waitForTimeout(2_500);
      const tiles = await probeTiles(page);
      expect(tiles.map((t) => t.phase), JSON.stringify(tiles)).toEqual(['playing', 'playing']);
    }
    await waitAllLive(page, CAMERAS.length, 20_000);
    const counters = e.control.counters();
    // About one AssumeRole every 3–4 s, and the tiles' session renewals signed with each of them.
    expect(counters.requests.assumeRole ?? 0).toBeGreaterThanOrEqual(5);
    expect(counters.requests.getDASHStreamingSessionURL ?? 0).toBeGreaterThanOrEqual(4);
    const refused = Object.entries(counters.errorTypes).flatMap(([kind, byName]) => Object.keys(byName ?? {}).map((name) => `${kind}:${name}`));
    expect(refused.filter((r) => /Expired|Unrecognized|Signature/.test(r))).toEqual([]);
    expect(await page.locator('.banners .banner').count()).toBe(0);
  }, 120_000);

  it('an SSO sign-in that ends: tiles keep playing, a banner says "aws sso login --profile …" with Retry; after signing in, Retry clears it and the wall is live', async () => {
    const e = rig.emulator!;
    // Signed in for 10 s: long enough to start the wall, over well before the test ends.
    const first = e.sso.issueToken({ ttlSeconds: 10, roleSeconds: 3600 });
    await home.writeSsoToken(START_URL, { ...first, region: 'us-east-1' });
    const accountId = await openWallOf('ops-viewer', 'Ops through SSO');

    const banner = page.locator(`.banners .banner[data-account="${accountId}"]`);
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.getAttribute('data-code')).toBe('SsoLoginRequired');
    const text = (await banner.textContent()) ?? '';
    expect(text).toMatch(/Ops through SSO:.*IAM Identity Center \(SSO\) sign-in of profile ops-sso has expired/);
    expect(text).toMatch(/Run aws sso login --profile ops-sso, then press Retry\./);
    expect(await banner.locator('code').textContent()).toBe('aws sso login --profile ops-sso');
    // The sessions the tiles hold were made before: they keep playing.
    expect((await probeTiles(page)).map((t) => t.phase)).toEqual(['playing', 'playing']);
    await screenshot(page, 'sso-expired-banner');

    // The operator runs `aws sso login` (a new token in the cache), then presses Retry.
    const again = e.sso.issueToken({ ttlSeconds: 3600, roleSeconds: 3600 });
    await home.writeSsoToken(START_URL, { ...again, region: 'us-east-1' });
    await banner.getByRole('button', { name: 'Retry Ops through SSO' }).click();
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    await waitAllLive(page, CAMERAS.length, 90_000);
  }, 180_000);
});
