import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createChainWriter, newApplianceIdentity, registrationRequest } from '@osiris/central/testing';
import { LINUX_CHECKS } from '@osiris/protocol';
import type { Page } from 'playwright-core';
import { startWebApp, type Viewport } from './browser';

const OUT = fileURLToPath(new URL('../../../screenshots', import.meta.url));

/**
 * `npm run screenshots`: a PNG of every main screen of every face, at desktop (1280 px) and mobile
 * (390 px) width, into ./screenshots (git-ignored), over seeded realistic data: an MSP with
 * branding, two practices, sites with an appliance whose signed evidence shows passing and
 * failing checks, an escalation, people and an auditor.
 */
async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const web = await startWebApp();
  try {
    const { central } = web;
    const inject = (
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) =>
      central.t.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), headers });
    const partner = await central.call<{ id: string }>('POST', '/v1/partners', {
      name: 'Bayside IT Partners',
      slug: 'bayside-it',
      contactEmail: 'ops@bayside-it.example',
    });
    await central.admin.request({
      method: 'PUT',
      url: `/v1/partners/${partner.id}/branding`,
      payload: { brandName: 'Bayside Compliance', color: '#7c3aed' },
    });
    const practices = [];
    for (const name of ['Lakeside Family Clinic', 'Harbor Dental Group']) {
      const practice = await central.call<{ id: string }>('POST', '/v1/practices', { partnerId: partner.id, name });
      const site = await central.call<{ id: string }>('POST', '/v1/sites', {
        practiceId: practice.id,
        name: `${name.split(' ')[0]} main office`,
      });
      practices.push({ practice, site });
    }
    const first = practices[0];
    if (!first) throw new Error('no practice');
    // A stand-in appliance speaking the real protocol: registration, then signed evidence over four
    // days (the test clock goes back and returns), with a daily score snapshot, so trends have points.
    const DAY = 86_400_000;
    central.t.clock.advance(-3 * DAY);
    const identity = newApplianceIdentity();
    const code = await central.provisionCode(first.site.id);
    const registered = (
      await inject(
        'POST',
        '/v1/appliance/register',
        registrationRequest(identity, code, {
          hostname: 'lakeside-appliance',
          signedAt: central.t.clock.now().toISOString(),
        }),
      )
    ).json() as { applianceId: string; token: string };
    const checks = LINUX_CHECKS.slice(0, 24).map((c) => c.id);
    const failingByDay = [
      new Set([3, 7, 11, 18, 20]),
      new Set([3, 7, 11, 18]),
      new Set([3, 7, 18]),
      new Set([3, 7, 18]),
    ];
    let day = 0;
    const next = createChainWriter(registered.applianceId, identity.pkcs8, {
      hostname: 'ehr-db-01',
      checkOf: (seq) => checks[(seq - 1) % checks.length] ?? 'linux.ssh.permit-root-login',
      statusOf: (seq) => (failingByDay[day]?.has((seq - 1) % checks.length) ? 'fail' : 'pass'),
      fieldsOf: (seq) => {
        const at = new Date(
          central.t.clock.now().getTime() - (checks.length - ((seq - 1) % checks.length)) * 1000,
        ).toISOString();
        return { startedAt: at, finishedAt: at };
      },
    });
    for (day = 0; day < failingByDay.length; day++) {
      if (day > 0) central.t.clock.advance(DAY);
      await inject(
        'POST',
        '/v1/appliance/evidence',
        { schemaVersion: 1, bundles: await next(checks.length) },
        { authorization: `Bearer ${registered.token}` },
      );
      await central.t.services.snapshots.snapshotAll();
      // A signed tree head a day, so the transparency log has heads to list and compare.
      await central.t.services.transparency.issueTreeHead();
    }
    const now = central.t.clock.now();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    await central.call('POST', `/v1/practices/${first.practice.id}/packets`, { month: lastMonth });
    await inject(
      'POST',
      '/v1/appliance/checkin',
      {
        schemaVersion: 1,
        version: '0.1.0',
        uptimeSeconds: 3600,
        sentAt: new Date().toISOString(),
        queues: { evidenceOutbox: 0, failedUploads: 0 },
        targets: { total: 3, reachable: 3 },
      },
      { authorization: `Bearer ${registered.token}` },
    );

    const shots: { face: string; as: () => Promise<Page>; paths: string[] }[] = [
      {
        face: 'admin',
        as: () => web.asStaff('admin'),
        paths: [
          '/admin',
          '/admin/partners',
          '/admin/practices',
          '/admin/sites',
          `/admin/sites/${first.site.id}`,
          '/admin/escalations',
          '/admin/exceptions',
          '/admin/learning',
          '/admin/users',
          '/admin/audit',
          '/admin/transfers',
          '/admin/notifications',
          '/admin/transparency',
          '/admin/releases',
          '/admin/rollouts',
        ],
      },
      {
        face: 'partner',
        as: () => web.as({ role: 'partner_admin', partnerId: partner.id }),
        paths: [
          '/partner',
          '/partner/practices',
          '/partner/sites',
          `/partner/sites/${first.site.id}`,
          '/partner/escalations',
          '/partner/exceptions',
          '/partner/api-keys',
          '/partner/branding',
          '/partner/people',
          '/partner/compliance',
          '/partner/notifications',
          '/partner/packets',
          '/partner/transparency',
        ],
      },
      {
        face: 'practice',
        as: () => web.as({ role: 'practice_owner', practiceId: first.practice.id }),
        paths: [
          '/practice',
          '/practice/controls',
          '/practice/evidence',
          '/practice/team',
          '/practice/exceptions',
          '/practice/help',
          '/practice/transfer',
          '/practice/reports',
          '/practice/transparency',
        ],
      },
      {
        face: 'auditor',
        as: () => web.as({ role: 'auditor', practiceId: first.practice.id }),
        paths: ['/auditor', '/auditor/controls', '/auditor/exceptions', '/auditor/reports', '/auditor/transparency'],
      },
    ];
    let count = 0;
    for (const shot of shots) {
      // One principal per face (a practice has one owner), photographed at both widths.
      const page = await shot.as();
      for (const viewport of ['desktop', 'mobile'] as Viewport[]) {
        await page.setViewportSize(viewport === 'desktop' ? { width: 1280, height: 800 } : { width: 390, height: 844 });
        for (const path of shot.paths) {
          await page.goto(path);
          await page.waitForLoadState('networkidle');
          const name = `${shot.face}${path.replace(`/${shot.face}`, '').replaceAll('/', '-') || '-home'}`.replace(
            /-[0-9a-f-]{36}/,
            '-detail',
          );
          await page.screenshot({ path: join(OUT, `${name}-${viewport}.png`), fullPage: true });
          count++;
          process.stderr.write(`  ${name}-${viewport}.png\n`);
        }
      }
    }
    process.stdout.write(`${count} screenshots in ${OUT}\n`);
  } finally {
    await web.close();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`screenshots failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
