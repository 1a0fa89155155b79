import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './browser';

describe('the admin face: unlock, sessions, edit, delete and paging', () => {
  let web: WebApp;

  beforeAll(async () => {
    web = await startWebApp();
  }, 120_000);
  afterAll(async () => web?.close());

  it('unlocks a locked user and ends their sessions one by one and all at once', async () => {
    const email = `locked-${randomUUID().slice(0, 6)}@staff.example`;
    const password = 'a-long-enough-password-1';
    await web.central.t.createUser('operator', email, password);
    // Two sessions before the lockout.
    await web.central.t.login(email, password);
    await web.central.t.login(email, password);
    for (let i = 0; i < 5; i++) {
      const res = await web.central.t.anonymous.request({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password: 'wrong-password-but-long' },
      });
      expect(res.statusCode, res.body).toBe(401);
    }
    const locked = await web.central.t.anonymous.request({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
    });
    expect(locked.statusCode, locked.body).toBeGreaterThanOrEqual(400);

    const page = await web.asStaff('admin');
    await page.goto('/admin/users');
    await page.getByRole('button', { name: `Unlock ${email}` }).click();
    await page
      .getByTestId('toast')
      .filter({ hasText: `${email} unlocked` })
      .waitFor();
    await page.getByRole('button', { name: `Unlock ${email}` }).waitFor({ state: 'detached' });
    const ok = await web.central.t.anonymous.request({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
    });
    expect(ok.statusCode, ok.body).toBe(200);

    // Three sessions now: end one, then the rest.
    await page.getByRole('button', { name: `Sessions of ${email}` }).click();
    const dialog = page.getByRole('dialog');
    const rows = dialog.getByTestId('sessions').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    await rows
      .first()
      .getByRole('button', { name: /^End session/ })
      .click();
    await dialog.getByRole('button', { name: 'End session', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await dialog.getByRole('button', { name: 'End all' }).click();
    await dialog.getByRole('button', { name: 'End all sessions' }).click();
    await dialog.getByText('No active sessions.').waitFor();
    await page
      .getByTestId('toast')
      .filter({ hasText: `2 sessions of ${email} ended` })
      .waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('edits a site, refuses to delete a site with hosts and deletes an empty one', async () => {
    const full = await web.central.createSite(`Full ${randomUUID().slice(0, 6)}`);
    await web.central.call('POST', '/v1/hosts', { siteId: full.siteId, hostname: 'fs01', platform: 'linux' });
    const empty = await web.central.createSite(`Empty ${randomUUID().slice(0, 6)}`);
    const emptyName = (await web.central.call<{ name: string }>('GET', `/v1/sites/${empty.siteId}`)).name;
    const fullName = (await web.central.call<{ name: string }>('GET', `/v1/sites/${full.siteId}`)).name;

    const page = await web.asStaff('admin');
    await page.goto('/admin/sites');
    const table = page.getByTestId('sites');
    await expect.poll(() => table.textContent()).toContain(fullName);

    // Edit: validation on the client, then the new name shown.
    await page.getByRole('button', { name: `Edit ${fullName}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Time zone').fill('Not/AZone');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByLabel('Time zone').and(page.locator('[aria-invalid="true"]')).waitFor();
    await dialog.getByLabel('Time zone').fill('UTC');
    await dialog.getByLabel('Name').fill(`${fullName} renamed`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => table.textContent()).toContain(`${fullName} renamed`);
    expect(page.url()).toMatch(/\/admin\/sites$/);

    // Delete with hosts: the server's 409 is shown in the dialog.
    await page.getByRole('button', { name: `Delete ${fullName} renamed` }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect
      .poll(() => dialog.getByTestId('dialog-error').textContent())
      .toContain('The site still has hosts; delete them first');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await table.textContent()).toContain(`${fullName} renamed`);

    // Delete an empty site: gone.
    await page.getByRole('button', { name: `Delete ${emptyName}` }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => table.textContent()).not.toContain(emptyName);
    const gone = await web.central.t.anonymous.request({ method: 'GET', url: `/v1/sites/${empty.siteId}` });
    expect(gone.statusCode).not.toBe(200);
  });

  it('hides edit and delete from read-only staff, and delete from operators', async () => {
    const readonly = await web.asStaff('readonly');
    await readonly.goto('/admin/sites');
    await readonly.getByTestId('sites').waitFor();
    expect(await readonly.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    const operator = await web.asStaff('operator');
    await operator.goto('/admin/sites');
    await operator.getByTestId('sites').waitFor();
    expect(await operator.getByRole('button', { name: /^Edit / }).count()).toBeGreaterThan(0);
    expect(await operator.getByRole('button', { name: /^Delete / }).count()).toBe(0);
  });

  it('walks a list of more than 200 sites with Load more', async () => {
    const { practiceId } = await web.central.createSite(`Paging ${randomUUID().slice(0, 6)}`);
    for (let i = 0; i < 205; i++) await web.central.call('POST', '/v1/sites', { practiceId, name: `Bulk ${i}` });
    const total = (await web.central.call<{ items: unknown[] }>('GET', '/v1/sites?limit=200')).items.length;
    expect(total).toBe(200);

    const page = await web.asStaff('admin');
    await page.goto('/admin/sites');
    const rows = page.getByTestId('sites').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(200);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(205);
    await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });
    const names = await page.getByTestId('sites').locator('tbody tr td:first-child').allTextContents();
    expect(new Set(names).size).toBe(names.length);
    for (const i of [0, 100, 204]) expect(names).toContain(`Bulk ${i}`);
  });

  it('exports the audit log as CSV, all pages of the filtered entries, with a header row', async () => {
    // More than one page (200) of one action, so the export walks the cursor.
    const { practiceId } = await web.central.createSite(`Audit ${randomUUID().slice(0, 6)}`);
    for (let i = 0; i < 205; i++)
      await web.central.call('POST', '/v1/sites', { practiceId, name: `Audited, site ${i}` });
    const page = await web.asStaff('admin');
    await page.goto('/admin/audit');
    await page.getByLabel('Action').fill('site.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(file.suggestedFilename()).toMatch(/^osiris-audit-site\.create-.+\.csv$/);
    const text = await readFile((await file.path()) ?? '', 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'seq,occurred_at,action,outcome,actor_type,actor,target_type,target_id,ip,request_id,details,hash',
    );
    const rows = lines.slice(1);
    expect(rows.length).toBeGreaterThanOrEqual(206); // 205 here, plus the site of createSite
    expect(rows.every((row) => row.split(',')[2] === 'site.create')).toBe(true);
    // The details (JSON, with quotes and the name's comma) are one quoted field, their quotes doubled.
    expect(text).toMatch(/,"\{[^\r\n]*""Audited, site 204""[^\r\n]*\}",/);
    await expect
      .poll(() => page.getByTestId('export-status').textContent())
      .toContain(`Exported ${rows.length} entries for site.create`);
  });
});
