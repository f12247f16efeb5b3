import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWallRig, type WallRig } from '../support/e2e-wall';

/** A first run with only the Demo cameras: the welcome offers both ways on, and stays away once dismissed. */
describe('first-run welcome', () => {
  let rig: WallRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startWallRig({ demo: true, emulator: false });
    page = await rig.open();
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('offers the Demo cameras or an AWS account, and opens Accounts for the second', async () => {
    const welcome = page.locator('section.welcome');
    await expect.poll(() => welcome.count(), { timeout: 20_000 }).toBe(1);
    expect(await welcome.textContent()).toMatch(/Demo cameras.*play now.*Test connection.*IAM policy/s);
    await welcome.locator('button', { hasText: 'Add an AWS account' }).click();
    await expect.poll(() => page.locator('aside[aria-label="Accounts"]').count()).toBe(1);
    expect(await welcome.count()).toBe(0);
    // Dismissed for good: not back after a reload.
    await page.reload();
    await page.waitForSelector('section.tile');
    expect(await page.locator('section.welcome').count()).toBe(0);
  }, 60_000);
});
