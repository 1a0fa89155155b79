import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname as machineHostname } from 'node:os';
import { join } from 'node:path';
import { createLogger, openStore, parseConfig, startAppliance } from '@osiris/appliance';
import { loadConfig, type RunningServer, SYSTEM_ACTOR, startServer } from '@osiris/central';
import {
  HostCreateRequest,
  PartnerCreateRequest,
  PracticeCreateRequest,
  ProvisionCodeCreateRequest,
  SiteCreateRequest,
} from '@osiris/protocol';
import { z } from 'zod';

/**
 * `npm start`: Central Command plus one demo appliance, registered to a demo site, that checks this
 * machine read-only through the `local` target (collectors only read; nothing heals this machine),
 * so real results appear through the API within a minute. OSIRIS_DEMO_APPLIANCE=false starts
 * central alone (as `npm run start:central` does).
 */

const DemoState = z.object({ siteId: z.uuid(), hostId: z.uuid(), hostname: z.string() });
type DemoState = z.infer<typeof DemoState>;

const log = (message: string) => process.stderr.write(`${message}\n`);

/** The demo tenancy, made once and remembered in the demo appliance's data dir. */
async function demoTenancy(server: RunningServer, stateFile: string): Promise<DemoState> {
  if (existsSync(stateFile)) return DemoState.parse(JSON.parse(readFileSync(stateFile, 'utf8')));
  const { services } = server;
  const suffix = Date.now().toString(36);
  const partner = await services.partners.create(
    SYSTEM_ACTOR,
    PartnerCreateRequest.parse({ name: 'Demo MSP', slug: `demo-msp-${suffix}` }),
  );
  const practice = await services.practices.create(
    SYSTEM_ACTOR,
    PracticeCreateRequest.parse({ partnerId: partner.id, name: 'Demo Clinic' }),
  );
  const site = await services.sites.create(
    SYSTEM_ACTOR,
    SiteCreateRequest.parse({ practiceId: practice.id, name: 'Demo Site' }),
  );
  const hostname = HostCreateRequest.shape.hostname.safeParse(machineHostname()).data ?? 'demo-host';
  const host = await services.hosts.create(
    SYSTEM_ACTOR,
    HostCreateRequest.parse({ siteId: site.id, hostname, platform: 'linux', role: 'server' }),
  );
  const state = { siteId: site.id, hostId: host.id, hostname: host.hostname };
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config, log);
  if (process.env.OSIRIS_DEMO_APPLIANCE === 'false') return;
  const dataDir = join(config.DATA_DIR, 'demo-appliance');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const demo = await demoTenancy(server, join(dataDir, 'demo.json'));
  const store = openStore(dataDir);
  const registered = store.registration.get() !== null;
  store.close();
  const provisionCode = registered
    ? undefined
    : (
        await server.services.appliances.createProvisionCode(
          SYSTEM_ACTOR,
          demo.siteId,
          ProvisionCodeCreateRequest.parse({}),
        )
      ).code;
  const port = new URL(server.url).port;
  const applianceConfig = parseConfig(
    JSON.stringify({
      centralUrl: `http://127.0.0.1:${port}`,
      dataDir,
      hostname: 'demo-appliance',
      ...(provisionCode ? { provisionCode } : {}),
      targets: [{ name: demo.hostname, kind: 'local', hostId: demo.hostId }],
      statusPage: { port: 0 },
    }),
    {},
  );
  const appliance = await startAppliance({ config: applianceConfig, log: createLogger('warn') });
  server.shutdown.add('demo appliance', () => appliance.stop());
  process.stdout.write(
    [
      `Demo appliance ${appliance.applianceId} checks this machine (read-only) for site ${demo.siteId}.`,
      `  appliance status page: ${appliance.statusUrl ?? 'disabled'}`,
      `  results (signed in):   ${server.url}/v1/sites/${demo.siteId}/results`,
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  log(`OsirisCare failed to start: ${error.message}`);
  process.exit(1);
});
