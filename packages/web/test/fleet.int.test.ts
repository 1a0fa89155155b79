import { createHash, randomBytes } from 'node:crypto';
import { checkinRequest, newApplianceIdentity, registrationRequest } from '@osiris/central/testing';
import {
  bytesToBase64Url,
  generateSigningKeyPair,
  type ReleaseManifest,
  type RolloutAppliance,
  type SignedReleaseManifest,
  signReleaseManifest,
} from '@osiris/protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

type KeyPair = Awaited<ReturnType<typeof generateSigningKeyPair>>;

/** A random artifact and its manifest signed with `key`, as the offline release CLI makes them. */
async function signedRelease(key: KeyPair, version: string) {
  const artifact = randomBytes(256 * 1024);
  const manifest: ReleaseManifest = {
    schemaVersion: 1,
    product: 'osiris-appliance',
    version,
    sha256: createHash('sha256').update(artifact).digest('hex'),
    sizeBytes: artifact.length,
    minUpgradeFrom: null,
    notes: `Release ${version}`,
    builtAt: new Date().toISOString(),
  };
  return { artifact, signed: await signReleaseManifest(manifest, key.privateKey, key.publicKey) };
}

describe('releases and rollouts in the admin face, in a real browser', () => {
  let web: WebApp;
  let key: KeyPair;
  let siteName: string;
  const appliances: { applianceId: string; token: string; hostname: string }[] = [];

  const rows = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr');
  const row = (page: Page, testId: string, text: string) => rows(page, testId).filter({ hasText: text });

  async function asAppliance(token: string, url: string, payload: unknown) {
    const res = await web.central.t.anonymous.request({
      method: 'POST',
      url,
      payload,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res;
  }

  beforeAll(async () => {
    key = await generateSigningKeyPair();
    web = await startWebApp({ RELEASE_PUBLIC_KEYS: [bytesToBase64Url(key.publicKey)] });
    const { t } = web.central;
    siteName = 'Harbor fleet site';
    const site = await web.central.createSite(siteName);
    for (const hostname of ['appl-a', 'appl-b', 'appl-c', 'appl-d']) {
      const code = await web.central.provisionCode(site.siteId);
      const reg = await t.anonymous.request({
        method: 'POST',
        url: '/v1/appliance/register',
        payload: registrationRequest(newApplianceIdentity(), code, { hostname, signedAt: t.clock.now().toISOString() }),
      });
      expect(reg.statusCode, reg.body).toBe(201);
      appliances.push({ ...(reg.json() as { applianceId: string; token: string }), hostname });
    }
    // One release registered and uploaded through the API, available for rollouts.
    const { artifact, signed } = await signedRelease(key, '1.1.0');
    const created = await web.central.admin.request({
      method: 'POST',
      url: '/v1/releases',
      payload: { signed, channel: 'stable' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const uploaded = await web.central.admin.request({
      method: 'PUT',
      url: '/v1/releases/1.1.0/artifact',
      payload: artifact,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
  });
  afterAll(() => web?.close());

  it('registers a signed release with its artifact, and refuses a bad signature', async () => {
    const page = await web.asStaff('admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases', exact: true }).click();
    await expect.poll(() => row(page, 'releases', '1.1.0').textContent()).toContain('available');
    expect(await row(page, 'releases', '1.1.0').textContent()).toContain('stable');

    // A manifest whose signature was made over other bytes: central refuses it, the page says why.
    const good = await signedRelease(key, '1.2.0');
    const forged: SignedReleaseManifest = {
      ...good.signed,
      manifest: { ...good.signed.manifest, notes: 'changed after signing' },
    };
    await page.getByTestId('release-new').click();
    await page.getByTestId('manifest-json').fill(JSON.stringify(forged));
    await page.getByTestId('release-register').click();
    await expect
      .poll(() => page.getByTestId('register-release').getByTestId('form-error').textContent())
      .toContain('signature does not verify');
    // Not JSON at all: said before anything is sent.
    await page.getByTestId('manifest-json').fill('{ not json');
    await page.getByTestId('release-register').click();
    await expect
      .poll(() => page.getByTestId('register-release').getByRole('alert').first().textContent())
      .toBe('This is not valid JSON.');

    // The good manifest, picked as a file, on the beta channel; then its artifact with a progress bar.
    await page.getByTestId('manifest-file').setInputFiles({
      name: 'release-1.2.0.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(good.signed)),
    });
    await expect.poll(() => page.getByTestId('manifest-json').inputValue()).toContain('"1.2.0"');
    await page.getByTestId('release-channel').selectOption('beta');
    await page.getByTestId('release-register').click();
    await expect.poll(() => page.getByTestId('artifact-upload').count()).toBe(1);
    await expect.poll(() => row(page, 'releases', '1.2.0').textContent()).toContain('awaiting_artifact');
    // A file of the wrong size is refused before it is sent.
    await page
      .getByTestId('artifact-file')
      .setInputFiles({ name: 'wrong.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from('short') });
    await page.getByTestId('artifact-send').click();
    await expect
      .poll(() => page.getByTestId('artifact-upload').getByTestId('form-error').textContent())
      .toContain('not the artifact of 1.2.0');
    // Right size, other bytes: central checks the SHA-256.
    await page
      .getByTestId('artifact-file')
      .setInputFiles({ name: 'other.tar.gz', mimeType: 'application/gzip', buffer: randomBytes(good.artifact.length) });
    await page.getByTestId('artifact-send').click();
    await expect
      .poll(() => page.getByTestId('artifact-upload').getByTestId('form-error').textContent())
      .toContain('does not match the SHA-256');
    // The whole file went up (the progress bar shows it) before central compared the hash.
    expect(await page.getByTestId('upload-progress').getAttribute('value')).toBe('100');
    await page
      .getByTestId('artifact-file')
      .setInputFiles({ name: 'osiris-appliance-1.2.0.tar.gz', mimeType: 'application/gzip', buffer: good.artifact });
    await page.getByTestId('artifact-send').click();
    await expect.poll(() => page.getByTestId('register-release').count()).toBe(0);
    await expect.poll(() => row(page, 'releases', '1.2.0').textContent()).toContain('available');
    expect(await row(page, 'releases', '1.2.0').textContent()).toContain('beta');
    expect(await row(page, 'releases', '1.2.0').textContent()).toContain(good.signed.manifest.sha256.slice(0, 12));

    // Mark latest (confirmed), then withdraw (confirmed).
    await row(page, 'releases', '1.2.0').getByTestId('release-latest').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => row(page, 'releases', '1.2.0').getByTestId('latest-badge').count()).toBe(1);
    await row(page, 'releases', '1.2.0').getByTestId('release-withdraw').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => row(page, 'releases', '1.2.0').textContent()).toContain('withdrawn');
    expect(await row(page, 'releases', '1.2.0').getByTestId('latest-badge').count()).toBe(0);
    const api = (await web.central.call<{ items: { version: string; state: string }[] }>('GET', '/v1/releases')).items;
    expect(api.find((r) => r.version === '1.2.0')?.state).toBe('withdrawn');
  });

  it('creates a rollout, shows its stages and appliances, and pauses and resumes it', async () => {
    const page = await web.asStaff('admin', 'mobile');
    await page.goto('/admin/rollouts');
    await page.getByTestId('rollout-new').click();
    // Only available releases are offered.
    const offered = await page.getByTestId('rollout-version').locator('option').allTextContents();
    expect(offered).toEqual(['1.1.0 (stable)']);
    await page.getByTestId('rollout-target').selectOption('sites');
    await page.getByTestId('site-picker').getByLabel(siteName).check();
    // The defaults are 5 % → 25 % → 100 %, and a 10 % failure threshold.
    expect(await page.getByLabel('Stage 1 percent').inputValue()).toBe('5');
    expect(await page.getByLabel('Stage 3 percent').inputValue()).toBe('100');
    expect(await page.getByLabel('Failure threshold (%)').inputValue()).toBe('10');
    // Bad stages: a decreasing percent and a last stage below 100.
    await page.getByLabel('Stage 2 percent').fill('3');
    await page.getByLabel('Stage 3 percent').fill('90');
    await page.getByTestId('rollout-start').click();
    await expect
      .poll(() => page.getByTestId('stages-error').textContent())
      .toBe('The last stage must reach 100 % of the target.');
    expect(await page.getByTestId('stages-editor').textContent()).toContain(
      'Must be more than the stage before (5 %).',
    );
    expect((await web.central.call<{ items: unknown[] }>('GET', '/v1/rollouts')).items).toHaveLength(0);
    // Two stages: half of the site, then all of it, advanced by hand.
    await page.getByRole('button', { name: 'Remove stage 3' }).click();
    await page.getByLabel('Stage 1 percent').fill('50');
    await page.getByLabel('Stage 1 healthy minutes').fill('');
    await page.getByLabel('Stage 2 percent').fill('100');
    await page.getByLabel('Name (optional)').fill('Harbor 1.1.0');
    await page.getByTestId('rollout-start').click();
    await page.waitForURL(/\/admin\/rollouts\/[0-9a-f-]{36}$/);
    const rolloutId = page.url().split('/').pop() ?? '';
    await expect.poll(() => page.getByTestId('rollout-status').textContent()).toBe('active');
    const stages = page.getByTestId('stage');
    await expect.poll(() => stages.count()).toBe(2);
    await expect.poll(() => stages.nth(0).getByTestId('stage-summary').textContent()).toBe('0 of 2 healthy');
    expect(await stages.nth(0).getByTestId('stage-status').textContent()).toBe('current');
    expect(await stages.nth(1).getByTestId('stage-status').textContent()).toBe('not opened');

    // The two appliances of stage 1 report: one installs and comes back healthy, one downloads.
    const members = (
      await web.central.call<{ items: RolloutAppliance[] }>('GET', `/v1/rollouts/${rolloutId}/appliances`)
    ).items;
    const first = members
      .filter((m) => m.stage === 0)
      .map((m) => appliances.find((a) => a.applianceId === m.applianceId));
    const [healthy, slow] = first;
    if (!healthy || !slow) throw new Error('stage 1 should hold two appliances');
    const { t } = web.central;
    const report = (token: string, state: string, extra: Record<string, unknown> = {}) =>
      asAppliance(token, '/v1/appliance/update-status', {
        schemaVersion: 1,
        rolloutId,
        version: '1.1.0',
        state,
        fromVersion: '0.1.0',
        at: t.clock.now().toISOString(),
        errorCode: null,
        message: null,
        bytesDownloaded: null,
        ...extra,
      });
    await report(healthy.token, 'downloading');
    await report(healthy.token, 'installed');
    await asAppliance(
      healthy.token,
      '/v1/appliance/checkin',
      checkinRequest({ sentAt: t.clock.now().toISOString(), version: '1.1.0' }),
    );
    await report(healthy.token, 'healthy');
    await report(slow.token, 'downloading', { bytesDownloaded: 1024 });

    // The page refreshes by itself while the rollout is live.
    await expect
      .poll(() => stages.nth(0).getByTestId('stage-summary').textContent(), { timeout: 15_000 })
      .toBe('1 of 2 healthy');
    expect(await stages.nth(0).getByTestId('stage-counts').textContent()).toContain('Downloading: 1');
    await expect
      .poll(() => row(page, 'rollout-appliances', healthy.hostname).textContent(), { timeout: 15_000 })
      .toContain('healthy');
    expect(await row(page, 'rollout-appliances', slow.hostname).textContent()).toContain('downloading');
    expect(await row(page, 'rollout-appliances', healthy.hostname).textContent()).toContain(siteName);
    expect(await rows(page, 'rollout-appliances').count()).toBe(4);
    await page.getByRole('tab', { name: /^Healthy/ }).click();
    await expect.poll(() => rows(page, 'rollout-appliances').count()).toBe(1);
    expect(await rows(page, 'rollout-appliances').textContent()).toContain(healthy.hostname);
    await page.getByRole('tab', { name: /^All/ }).click();

    // Resume is only possible when paused; pause with a reason, confirmed.
    expect(await page.getByTestId('rollout-resume').isDisabled()).toBe(true);
    await page.getByTestId('rollout-pause').click();
    await page.getByTestId('pause-reason').fill('Clinic asked to wait until Friday');
    await page.getByTestId('confirm').click();
    await expect
      .poll(() => page.getByTestId('pause-banner').textContent())
      .toContain('Clinic asked to wait until Friday');
    expect(await page.getByTestId('rollout-status').textContent()).toBe('paused');
    expect(await page.getByTestId('rollout-pause').isDisabled()).toBe(true);
    const paused = await web.central.call<{ status: string; pauseReason: string }>('GET', `/v1/rollouts/${rolloutId}`);
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'Clinic asked to wait until Friday' });

    await page.getByTestId('rollout-resume').click();
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.getByTestId('rollout-status').textContent()).toBe('active');
    expect(await page.getByTestId('pause-banner').count()).toBe(0);

    // A failure in stage 1 crosses the 10 % threshold: the rollout pauses by itself and says why.
    await report(slow.token, 'failed', { errorCode: 'HASH_MISMATCH', message: 'the download does not match' });
    await expect.poll(() => page.getByTestId('rollout-status').textContent(), { timeout: 15_000 }).toBe('paused');
    expect((await page.getByTestId('pause-banner').textContent())?.length).toBeGreaterThan('Paused. '.length);
    await expect
      .poll(() => row(page, 'rollout-appliances', slow.hostname).textContent(), { timeout: 15_000 })
      .toContain('HASH_MISMATCH');

    // The list shows the rollout with its stage and progress.
    await page.getByRole('link', { name: '← Rollouts' }).click();
    const listed = row(page, 'rollouts', 'Harbor 1.1.0');
    await expect.poll(() => listed.textContent()).toContain('paused');
    expect(await listed.textContent()).toContain('1 of 2 (50 %)');
    expect(await listed.textContent()).toContain('1 of 4 healthy');
  });

  it('shows releases and rollouts without controls to a read-only platform user', async () => {
    const page = await web.asStaff('readonly');
    await page.goto('/admin/releases');
    await expect.poll(() => row(page, 'releases', '1.1.0').count()).toBe(1);
    expect(await page.getByTestId('release-new').count()).toBe(0);
    expect(await page.getByTestId('release-withdraw').count()).toBe(0);
    await page.goto('/admin/rollouts');
    await row(page, 'rollouts', 'Harbor 1.1.0').getByRole('link').click();
    await expect.poll(() => page.getByTestId('stage').count()).toBe(2);
    expect(await page.getByTestId('rollout-controls').count()).toBe(0);
  });
});
