import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, parseConfig, type RunningAppliance, startAppliance } from '@osiris/appliance';
import {
  type CentralServer,
  signInAs,
  startCentralServer,
  startTestTsaServer,
  type TestTsaServer,
} from '@osiris/central/testing';
import { DRIFTS_GROUP_A } from '../drifts/group-a';
import { DRIFTS_GROUP_B } from '../drifts/group-b';
import { createLab } from '../hosts/lab';
import type { LabHost } from '../hosts/lab-host';
import { labApplianceConfig } from '../scenarios/lab-appliance';
import { type ApiClient, createApiClient } from './export-api';

/** Closers run newest first; each failure is kept, the rest still run. */
export function createCleanup() {
  const closers: { what: string; close: () => Promise<unknown> }[] = [];
  let done: Promise<string[]> | null = null;
  return {
    add(what: string, close: () => Promise<unknown>): void {
      closers.push({ what, close });
    },
    /** Runs every closer once; answers the failures as "what: message". */
    run(): Promise<string[]> {
      done ??= (async () => {
        const failures: string[] = [];
        for (const { what, close } of closers.reverse()) {
          try {
            await close();
          } catch (error) {
            failures.push(`${what}: ${(error as Error).message}`);
          }
        }
        return failures;
      })();
      return done;
    },
  };
}
type Cleanup = ReturnType<typeof createCleanup>;

const RECIPES = [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B];

export interface ExportSystem {
  tsa: TestTsaServer;
  central: CentralServer;
  hosts: LabHost[];
  practice: { id: string; name: string };
  siteId: string;
  appliance: RunningAppliance;
  /** The practice's owner and its auditor, signed in over real HTTP (not platform staff). */
  owner: ApiClient;
  auditor: ApiClient;
}

export async function runHostScript(host: LabHost, script: string, what: string): Promise<void> {
  const result = await host.exec('sh -s', { input: script, timeoutMs: 60_000 });
  if (result.exitCode !== 0)
    throw new Error(`${what} on ${host.info.name} failed (${result.exitCode}): ${result.stderr.slice(0, 500)}`);
}

/** Partner → practice → site, made by the platform admin as an operator onboarding a clinic would. */
async function createTenancy(central: CentralServer) {
  const slug = `lab-demo-${randomBytes(4).toString('hex')}`;
  const partner = await central.call<{ id: string }>('POST', '/v1/partners', { name: 'Lab Demo MSP', slug });
  const practice = await central.call<{ id: string; name: string }>('POST', '/v1/practices', {
    partnerId: partner.id,
    name: 'Lab Demo Clinic',
  });
  const site = await central.call<{ id: string }>('POST', '/v1/sites', {
    practiceId: practice.id,
    name: 'Lab Demo Site',
  });
  return { practice: { id: practice.id, name: practice.name }, siteId: site.id };
}

/**
 * Starts the demo system piece by piece, registering each piece with `cleanup` as soon as it
 * exists (so Ctrl-C or a failure half-way removes exactly what was made): a time-stamping
 * authority on loopback, central in-process on a fresh in-memory PGlite database configured with
 * it, the demo tenancy, N hardened lab hosts and an appliance that heals them with L1 rules.
 */
export async function startExportSystem(params: {
  hosts: number;
  cleanup: Cleanup;
  signal: AbortSignal;
  progress: (line: string) => void;
}): Promise<ExportSystem> {
  const { cleanup, signal, progress } = params;
  const tsa = await startTestTsaServer();
  cleanup.add('time-stamping authority', () => tsa.close());
  progress(`time-stamping authority (openssl ts) at ${tsa.url}`);
  signal.throwIfAborted();

  const central = await startCentralServer('pglite', {
    TSA_URL: tsa.url,
    TSA_TRUSTED_CERTS_FILE: tsa.trustedCertsFile,
  });
  cleanup.add('central', () => central.close());
  const { practice, siteId } = await createTenancy(central);
  const owner = createApiClient(
    central.url,
    (await signInAs(central.t, { role: 'practice_owner', practiceId: practice.id })).session,
  );
  const auditor = createApiClient(
    central.url,
    (await signInAs(central.t, { role: 'auditor', practiceId: practice.id })).session,
  );
  progress(`central at ${central.url} (in-memory PGlite), practice "${practice.name}" ${practice.id}`);
  signal.throwIfAborted();

  const lab = createLab();
  const hosts: LabHost[] = [];
  for (let i = 0; i < params.hosts; i++) {
    const host = await lab.createHost();
    cleanup.add(`lab host ${host.info.name}`, () => host.destroy());
    hosts.push(host);
    for (const recipe of RECIPES)
      if (recipe.harden) await runHostScript(host, recipe.harden, `harden ${recipe.checkId}`);
    progress(`lab host ${i + 1}/${params.hosts} ${host.info.name} (${host.info.ip}) up and hardened`);
    signal.throwIfAborted();
  }

  const dir = await mkdtemp(join(tmpdir(), 'osiris-lab-export-'));
  cleanup.add('appliance data', () => rm(dir, { recursive: true, force: true }));
  const config = labApplianceConfig({
    centralUrl: central.url,
    dataDir: join(dir, 'data'),
    provisionCode: await central.provisionCode(siteId),
    hosts,
    extra: {
      // L1 heals on its own with the conservative built-in pack; rounds are seconds apart here.
      healing: { tier: 'l1', pack: 'standard', packCooldownSeconds: 5 },
    },
  });
  const appliance = await startAppliance({
    config: parseConfig(JSON.stringify(config), {}),
    log: createLogger('error'),
  });
  cleanup.add('appliance', () => appliance.stop());
  progress(`appliance ${appliance.applianceId} registered (healing: L1, standard pack)`);
  return { tsa, central, hosts, practice, siteId, appliance, owner, auditor };
}
