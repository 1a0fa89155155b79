import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { AGENT_PROTOCOL_VERSION, AgentHeaderSchema } from '@osiris/protocol/agent-proto';
import { createAgentLoop, defaultAgentConfig } from './agent-loop';
import type { AgentOs } from './checks/check';
import { CHECK_CAPABILITIES } from './checks/registry';
import { createCommandRunner } from './command-runner';
import type { AgentSettings } from './config/agent-config';
import { ConfigError } from './config/agent-config';
import { createHealExecutor } from './heal/heal-executor';
import { RUNBOOKS } from './heal/runbook-registry';
import { collectHostFacts } from './host-facts';
import type { Logger } from './logger';
import { openAgentDb } from './queue/agent-db';
import { loadSqliteAddon } from './queue/native-binding';
import { createResultQueue } from './queue/result-queue';
import { createAgentClient, enroll } from './transport/grpc-client';
import { loadIdentity, saveIdentity } from './transport/identity-store';
import { AGENT_VERSION } from './version';

/** Enrolls on first start (token file + pinned CA fingerprint), then runs the schedule until a signal. */
export async function runAgent(settings: AgentSettings, os: AgentOs | 'other', logger: Logger): Promise<void> {
  if (!settings.appliance)
    throw new ConfigError('no appliance address: set "appliance" in the config file or pass --appliance host:port');
  const endpoint = {
    appliance: settings.appliance,
    ...(settings.server_name ? { serverName: settings.server_name } : {}),
  };
  const run = createCommandRunner({ timeoutMs: settings.command_timeout_seconds * 1000 });
  let identity = loadIdentity(settings.dataDir);
  let initialConfig = defaultAgentConfig(
    settings.checks?.map((c) => c.check_id) ?? CHECK_CAPABILITIES.map((c) => c.id),
  );
  if (!identity) {
    if (!settings.ca_fingerprint_sha256 || !settings.enrollment_token_file) {
      throw new ConfigError('not enrolled yet: the config needs "ca_fingerprint_sha256" and "enrollment_token_file"');
    }
    const token = readFileSync(settings.enrollment_token_file, 'utf8').trim();
    const enrolled = await enroll({
      ...endpoint,
      enrollmentToken: token,
      caFingerprint: settings.ca_fingerprint_sha256,
      host: collectHostFacts(os),
    });
    saveIdentity(settings.dataDir, enrolled.identity);
    identity = enrolled.identity;
    if (enrolled.response.config) initialConfig = enrolled.response.config;
    logger.info('enrolled', { agent_id: identity.agentId, site_id: identity.siteId });
  }
  const nativeBinding = loadSqliteAddon(settings.dataDir);
  const db = openAgentDb(join(settings.dataDir, 'agent.db'), nativeBinding ? { nativeBinding } : {});
  const client = createAgentClient(endpoint, identity);
  const queue = createResultQueue(db, { maxResults: settings.queue_max_results });
  let tierSource = () => initialConfig.tier;
  const heal = createHealExecutor({ os, run, db, runbooks: RUNBOOKS, tier: () => tierSource() });
  const loop = createAgentLoop({
    os,
    run,
    agentId: identity.agentId,
    transport: client.transport,
    queue,
    heal,
    logger,
    initialConfig,
    hostFacts: () => collectHostFacts(os),
    hostUptimeSeconds: uptime,
  });
  tierSource = loop.tier;
  const renewTimer = setInterval(() => {
    const header = create(AgentHeaderSchema, {
      agentId: client.identity.agentId,
      agentVersion: AGENT_VERSION,
      protocolVersion: AGENT_PROTOCOL_VERSION,
    });
    client
      .renewIfDue(new Date(), header)
      .then((renewed) => {
        if (renewed) {
          saveIdentity(settings.dataDir, renewed);
          logger.info('certificate renewed');
        }
      })
      .catch((error: unknown) => logger.warn('certificate renewal failed', { error: String(error) }));
  }, 3_600_000);
  await loop.start();
  logger.info('agent running', { agent_id: identity.agentId, appliance: settings.appliance });
  await new Promise<void>((resolve) => {
    const stop = async (signal: string) => {
      logger.info('stopping', { signal });
      loop.stop();
      clearInterval(renewTimer);
      // Let a running heal step finish and be reported, for at most 30 s.
      await Promise.race([loop.settled(), new Promise((done) => setTimeout(done, 30_000).unref())]);
      db.close();
      resolve();
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
