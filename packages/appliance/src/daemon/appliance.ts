import { checkById, HealingPolicy, L1RuleList, LINUX_CHECKS, type Order, WINDOWS_CHECKS } from '@osiris/protocol';
import type { LinuxCheck } from '../checks/check';
import { LINUX_CHECK_IMPLEMENTATIONS } from '../checks/linux';
import { WINDOWS_CHECK_IMPLEMENTATIONS } from '../checks/windows';
import { runCheck } from '../checks/run-check';
import type { ApplianceConfig } from '../config';
import { createEvidenceWriter } from '../evidence/evidence-writer';
import { loadOrCreateIdentityKey } from '../identity/identity-key';
import { createExceptionSet } from '../healing/exceptions';
import { createHealer } from '../healing/healer';
import { createIncidentsService } from '../healing/incidents';
import { createL1Engine } from '../healing/l1/engine';
import { builtinPack } from '../healing/l1/packs';
import { toAllowedRunbook } from '../healing/l2/allowed-runbook';
import { createL2Planner } from '../healing/l2/planner';
import { createLlmProvider } from '../healing/l2/providers/create-provider';
import { createLogger, type Logger } from '../log';
import { createHostLocks } from '../runbooks/host-locks';
import { LINUX_RUNBOOKS } from '../runbooks/linux';
import { WINDOWS_RUNBOOKS } from '../runbooks/windows';
import { createScheduler, type ScheduledCheckPlan } from '../scheduler/scheduler';
import { openStore, type Registration } from '../store';
import { createBackoff } from '../sync/backoff';
import type { FetchImpl } from '../sync/central-client';
import { createEscalationSender } from '../sync/escalations';
import { createPatternSync } from '../sync/patterns';
import { createProofSync } from '../sync/proofs';
import { type ApplyOutcome, createOrderProcessor } from '../sync/orders';
import { checkin } from '../sync/register';
import { uploadBatch } from '../sync/uploader';
import { applySetAgentTier } from '../agents/set-agent-tier.order';
import { createAgentRosterSync } from '../sync/agent-roster';
import { ensureRegistered } from './ensure-registered';
import { startLocalServers } from './local-servers';
import { acquireProcessLock } from './process-lock';
import { createSecurityEvents } from './security-events';
import { createWaiter } from './sleep';
import { createTargetSet } from './targets';
import { rotateToken } from '../sync/rotate-token';
import { createUpdater, type SupervisedBy } from '../update/updater';

const UNREACHABLE_CODES = new Set(['UNREACHABLE', 'AUTH_FAILED', 'HOST_KEY_CHANGED']);
const FLUSH_ON_STOP_MS = 5_000;
const HEALING_POLICY_KEY = 'healing.policy';
const HEALING_RULES_KEY = 'healing.rules';

export interface StartApplianceOptions {
  config: ApplianceConfig;
  fetchImpl?: FetchImpl;
  log?: Logger;
  /** The checks to run (default: every Linux and Windows check; Windows ones run on `winrm` targets only). */
  checks?: readonly LinuxCheck[];
  /** Aborts start-up (e.g. a registration still waiting for central). */
  signal?: AbortSignal;
  /** Self-update: the slot and root the supervisor started us from, and how to stop with an exit code (docs/updates.md). */
  update?: SupervisedBy;
}

/**
 * The appliance daemon: checks targets on schedule, writes signed chained evidence, uploads it
 * through the outbox, checks in, applies orders, serves the local status page.
 */
export async function startAppliance(options: StartApplianceOptions) {
  const { config } = options;
  const fetchImpl = options.fetchImpl ?? fetch;
  const log = options.log ?? createLogger(config.logLevel);
  const key = await loadOrCreateIdentityKey(config.dataDir);
  const releaseLock = acquireProcessLock(config.dataDir);
  const store = openStore(config.dataDir);
  const lifetime = new AbortController();
  options.signal?.addEventListener('abort', () => lifetime.abort(), { once: true });
  const startedAt = Date.now();
  try {
    const registration = await ensureRegistered(config, store, key, fetchImpl, log, lifetime.signal);
    if (!registration) throw new Error('stopped before registration finished');
    return await run(registration);
  } catch (error) {
    store.close();
    releaseLock();
    throw error;
  }

  async function run(registration: Registration) {
    const { applianceId } = registration;
    const securityEvents = createSecurityEvents(log);
    const lastTargetError = new Map<string, string | null>();
    const sync = {
      lastCheckinAt: store.settings.get('sync.lastCheckinAt'),
      lastCheckinError: null as string | null,
      lastUploadAt: null as string | null,
      lastUploadError: null as string | null,
      uploadFailures: 0,
      nextUploadAttemptAt: null as string | null,
    };
    const clockOffsetMs = () => Number(store.settings.get('sync.clockOffsetMs') ?? 0);
    const writer = createEvidenceWriter({ store, key, applianceId, clockOffsetMs });
    const targets = createTargetSet({
      config,
      store,
      log,
      onHostKeyMismatch: securityEvents.onPinMismatch,
    });
    await targets.refresh(applianceId);

    const checks = (options.checks ?? [...LINUX_CHECK_IMPLEMENTATIONS, ...WINDOWS_CHECK_IMPLEMENTATIONS]).filter(
      (c) => !config.checks.disabled.includes(c.id),
    );
    const plan = (): ScheduledCheckPlan[] => {
      const overrides = new Map(store.schedule.overrides().map((o) => [o.checkId, o]));
      const defaultInterval = store.schedule.defaultIntervalSeconds() ?? config.checks.defaultIntervalSeconds;
      return checks.flatMap((check) => {
        const override = overrides.get(check.id);
        if (override && !override.isEnabled) return [];
        return [{ check, intervalSeconds: override?.intervalSeconds ?? defaultInterval }];
      });
    };

    const incidents = createIncidentsService({ store });
    const exceptions = createExceptionSet({ store, now: () => new Date(Date.now() + clockOffsetMs()) });
    // What central set by signed order outlives restarts; until then the config file decides.
    const storedJson = (key: string): unknown => {
      const text = store.settings.get(key);
      return text === null ? undefined : JSON.parse(text);
    };
    const cooldown = config.healing.packCooldownSeconds;
    const pack = builtinPack(config.healing.pack, [...LINUX_CHECKS, ...WINDOWS_CHECKS]).map((rule) =>
      cooldown === null ? rule : { ...rule, cooldownSeconds: cooldown },
    );
    let currentPolicy = HealingPolicy.safeParse(storedJson(HEALING_POLICY_KEY)).data ?? config.healing.policy;
    const storedRules = L1RuleList.safeParse(storedJson(HEALING_RULES_KEY)).data ?? [];
    const healingPolicy = () => currentPolicy;
    const l1 = createL1Engine({ rules: [...pack, ...storedRules], policy: currentPolicy, store });
    const escalations = createEscalationSender({ store, log, fetchImpl });
    const planner = config.healing.llm
      ? createL2Planner({
          provider: createLlmProvider(config.healing.llm),
          allowedRunbooks: LINUX_RUNBOOKS.map(toAllowedRunbook),
          budget: config.healing.llmBudget,
          timeoutMs: config.healing.llmTimeoutSeconds * 1000,
        })
      : null;
    const escalationWaiter = createWaiter();
    const healer = createHealer({
      incidents,
      l1,
      policy: healingPolicy,
      runbooks: new Map([...LINUX_RUNBOOKS, ...WINDOWS_RUNBOOKS].map((runbook) => [runbook.id, runbook])),
      checks: new Map(checks.map((check) => [check.id, check])),
      hostLocks: createHostLocks(),
      ...(planner ? { planL2: planner.plan } : {}),
      record: async (result) => {
        await writer.append(result);
        uploadWaiter.wake();
      },
      escalate: (request) => {
        escalations.escalate(request);
        escalationWaiter.wake();
      },
      // The appliance never changes the machine it runs on (the `local` target).
      mayHeal: (target) => target.kind !== 'local',
      onHealed: (target, checkId) => scheduler.runNow({ checkIds: [checkId], hostIds: [target.hostId] }),
      log,
    });

    const uploadWaiter = createWaiter();
    const scheduler = createScheduler({
      targets: () => targets.list(),
      plan,
      // Windows checks (PowerShell) run on WinRM targets, Linux checks (sh) on the others.
      appliesTo: (target, check) => check.id.startsWith('windows.') === (target.kind === 'winrm'),
      maxConcurrentTargets: config.checks.maxConcurrentTargets,
      maxConcurrentPerTarget: config.checks.maxConcurrentPerTarget,
      jitter: config.checks.jitter,
      initialSpreadMs: config.checks.initialSpreadSeconds * 1000,
      runOne: async (target, check, signal) => {
        const result = exceptions.judge(
          await runCheck(target, check, {
            timeoutMs: config.checks.commandTimeoutSeconds * 1000,
            maxOutputBytes: config.checks.maxOutputBytes,
            signal,
          }),
        );
        const code = typeof result.observed.targetError === 'string' ? result.observed.targetError : null;
        if (code === 'ABORTED') return; // Shutting down: no verdict was reached, so no evidence.
        lastTargetError.set(target.hostId, code);
        const signed = await writer.append(result);
        uploadWaiter.wake();
        updater.noteCheckRan();
        await healer.handle(target, result, signed.bundle.seq);
      },
      onRunFailed: (error, target, check) =>
        log.error('a check run could not be recorded', { hostname: target.hostname, checkId: check.id, error }),
    });

    const updater = createUpdater({ config, store, log, fetchImpl, supervised: options.update });
    const approvedRuns = new Set<Promise<void>>();
    const apply = async (order: Order): Promise<ApplyOutcome> => {
      switch (order.type) {
        case 'set_schedule': {
          const unknown = order.payload.checks.filter((c) => !checkById(c.checkId)).map((c) => c.checkId);
          if (unknown.length > 0)
            return { ok: false, code: 'UNKNOWN_CHECK', detail: `unknown checks: ${unknown.join(', ')}` };
          store.schedule.replace(order.payload.defaultIntervalSeconds, order.payload.checks);
          scheduler.reconcile();
          return {
            ok: true,
            detail: `schedule set: default ${order.payload.defaultIntervalSeconds} s, ${order.payload.checks.length} overrides`,
          };
        }
        case 'set_targets':
          store.orderTargets.replace(order.payload.targets);
          await targets.refresh(applianceId);
          scheduler.reconcile();
          return {
            ok: true,
            detail: `${order.payload.targets.length} assigned targets; ${targets.list().length} in all`,
          };
        case 'run_checks_now': {
          const count = scheduler.runNow(order.payload);
          const agents = servers.requestAgentCheckRuns(order.payload);
          return { ok: true, detail: `${count} check runs started; ${agents} agents asked for results` };
        }
        case 'set_healing_policy': {
          const replaced = l1.replacePolicy(order.payload);
          if (!replaced.ok) return { ok: false, code: 'INVALID_POLICY', detail: replaced.message };
          store.settings.set(HEALING_POLICY_KEY, JSON.stringify(order.payload));
          currentPolicy = order.payload;
          return { ok: true, detail: `healing tier ${order.payload.tier}${order.payload.dryRun ? ' (dry run)' : ''}` };
        }
        case 'update_rules': {
          const replaced = l1.replaceRules([...pack, ...order.payload.rules]);
          if (!replaced.ok) return { ok: false, code: 'INVALID_RULES', detail: replaced.message };
          store.settings.set(HEALING_RULES_KEY, JSON.stringify(order.payload.rules));
          return {
            ok: true,
            detail: `${order.payload.rules.length} rules in addition to the ${config.healing.pack} pack`,
          };
        }
        case 'set_agent_tier':
          return applySetAgentTier({ store, agentConfig: servers.agentConfig }, order.payload);
        case 'run_runbook': {
          const { payload } = order;
          const target = targets.list().find((t) => t.hostId === payload.hostId);
          const run = healer.runApproved(target, payload);
          if (!run.started) return { ok: false, code: 'NOT_APPLICABLE', detail: run.reason };
          const finished: Promise<void> = run.done
            .then((outcome) =>
              log.info('approved fix finished', {
                escalationId: payload.escalationId,
                runbookId: payload.runbookId,
                ok: outcome.ok,
                reason: outcome.reason,
              }),
            )
            .catch((error: unknown) => log.error('approved fix failed to run', { runbookId: payload.runbookId, error }))
            .finally(() => approvedRuns.delete(finished));
          approvedRuns.add(finished);
          return { ok: true, detail: `${payload.runbookId} started on ${target?.hostname ?? payload.hostId}` };
        }
        case 'set_exceptions':
          return exceptions.replace(order.payload);
        case 'rotate_token':
          await rotateToken(store, key, order.id, fetchImpl);
          return { ok: true, detail: 'token rotated' };
        case 'install_release':
          return updater.install(order.payload);
      }
    };
    const orders = createOrderProcessor({ store, apply, log, fetchImpl });

    async function checkinOnce(): Promise<number> {
      const depth = store.evidence.depth();
      const list = targets.list();
      const sentLocal = Date.now();
      const reply = await checkin(
        store,
        {
          uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
          queues: { evidenceOutbox: depth.count, failedUploads: sync.uploadFailures },
          targets: {
            total: list.length,
            reachable: list.filter((t) => !UNREACHABLE_CODES.has(lastTargetError.get(t.hostId) ?? '')).length,
          },
        },
        fetchImpl,
      );
      const receivedLocal = Date.now();
      // Central's clock minus ours, taking the request's midpoint as the moment central answered.
      const offset = Math.round(Date.parse(reply.serverTime) - (sentLocal + receivedLocal) / 2);
      store.settings.set('sync.clockOffsetMs', String(offset));
      sync.lastCheckinAt = new Date(receivedLocal).toISOString();
      store.settings.set('sync.lastCheckinAt', sync.lastCheckinAt);
      sync.lastCheckinError = null;
      updater.noteCheckin();
      await orders.handle(reply.orders);
      await orders.report();
      return reply.nextCheckinSeconds;
    }

    async function checkinLoop(): Promise<void> {
      const waiter = createWaiter();
      const backoff = createBackoff({ initialMs: 1000, maxMs: config.checkinIntervalSeconds * 1000 });
      while (!lifetime.signal.aborted) {
        let delay: number;
        try {
          await checkinOnce();
          backoff.succeed();
          delay = config.checkinIntervalSeconds * 1000 * (0.9 + 0.2 * Math.random());
        } catch (error) {
          sync.lastCheckinError = (error as Error).message;
          delay = backoff.fail();
          log.warn('check-in failed', { reason: sync.lastCheckinError, retryInMs: Math.round(delay) });
        }
        await waiter.wait(delay, lifetime.signal);
      }
    }

    async function uploadLoop(): Promise<void> {
      const backoff = createBackoff({
        initialMs: config.sync.backoffInitialSeconds * 1000,
        maxMs: config.sync.backoffMaxSeconds * 1000,
      });
      while (!lifetime.signal.aborted) {
        let delay = 5_000;
        try {
          const outcome = await uploadBatch(store, config.sync.batchSize, fetchImpl);
          backoff.succeed();
          sync.uploadFailures = 0;
          sync.lastUploadError = null;
          sync.nextUploadAttemptAt = null;
          if (outcome.sent > 0) {
            sync.lastUploadAt = new Date().toISOString();
            if (store.evidence.depth().count > 0) continue;
          }
        } catch (error) {
          delay = backoff.fail();
          sync.uploadFailures = backoff.failures;
          sync.lastUploadError = (error as Error).message;
          sync.nextUploadAttemptAt = new Date(Date.now() + delay).toISOString();
          log.warn('evidence upload failed', { reason: sync.lastUploadError, retryInMs: Math.round(delay) });
          // During backoff only the timer ends the wait: new evidence must not hammer central.
          await sleepOnly(delay);
          continue;
        }
        await uploadWaiter.wait(delay, lifetime.signal);
        // Woken by new evidence: let a few more bundles gather so they travel in one batch.
        if (store.evidence.depth().count < config.sync.batchSize) await sleepOnly(config.sync.coalesceMs);
      }
    }
    const sleepOnly = (ms: number) => createWaiter().wait(ms, lifetime.signal);

    /** L3: the urgent queue goes out on its own backoff (1 s → 64 s), not the evidence outbox's. */
    async function escalationLoop(): Promise<void> {
      while (!lifetime.signal.aborted) {
        const delay = await escalations.flush().catch((error: unknown) => {
          log.error('escalation queue failed', { error });
          return 5_000;
        });
        await escalationWaiter.wait(delay > 0 ? delay : 5_000, lifetime.signal);
      }
    }

    /** Learning loop: pattern statistics to central when they changed (totals, so retrying is safe). */
    const patternSync = createPatternSync({ store, log, fetchImpl });
    async function patternLoop(): Promise<void> {
      while (!lifetime.signal.aborted) {
        await sleepOnly(config.sync.patternsIntervalSeconds * 1000);
        if (lifetime.signal.aborted) break;
        await patternSync.flush().catch((error: unknown) => {
          log.warn('pattern statistics not sent; will retry', { reason: (error as Error).message });
        });
      }
    }

    /** Transparency: inclusion proofs of this appliance's bundles, verified against the pinned log key. */
    const proofSync = createProofSync({ store, log, fetchImpl });
    async function proofLoop(): Promise<void> {
      while (!lifetime.signal.aborted) {
        await sleepOnly(config.sync.proofsIntervalSeconds * 1000);
        if (lifetime.signal.aborted) break;
        await proofSync.flush().catch((error: unknown) => {
          log.warn('evidence proofs not fetched; will retry', { reason: (error as Error).message });
        });
      }
    }

    /** On a clean stop: one bounded attempt to hand central what is still queued (it stays queued if central is away). */
    async function flushOutbox(): Promise<void> {
      const deadline = Date.now() + FLUSH_ON_STOP_MS;
      try {
        while (store.evidence.depth().count > 0 && Date.now() < deadline) {
          if ((await uploadBatch(store, config.sync.batchSize, fetchImpl)).sent === 0) break;
        }
      } catch (error) {
        log.info('evidence left queued at stop', {
          reason: (error as Error).message,
          queued: store.evidence.depth().count,
        });
      }
    }

    const status = () => ({
      applianceId,
      siteId: registration.siteId,
      centralUrl: registration.centralUrl,
      publicKey: key.publicKey,
      startedAt: new Date(startedAt).toISOString(),
      clockOffsetMs: clockOffsetMs(),
      sync: { ...sync },
      queues: {
        evidenceOutbox: store.evidence.depth().count,
        chainHeadSeq: store.evidence.head().seq,
        unreportedOrders: store.orders.unreported(1000).length,
        escalations: store.escalationQueue.depth(),
        proofs: store.proofs.summary(),
      },
      healing: {
        tier: currentPolicy.tier,
        dryRun: currentPolicy.dryRun,
        openIncidents: incidents.listOpen().length,
        activeExceptions: exceptions.active().length,
      },
      scheduler: scheduler.status(),
      targets: targets.list().map((t) => ({
        hostId: t.hostId,
        hostname: t.hostname,
        kind: t.kind,
        lastError: lastTargetError.get(t.hostId) ?? null,
      })),
      results: store.evidence.lastResults(),
      securityEvents: securityEvents.list(),
    });

    const roster = createAgentRosterSync({ store, log, fetchImpl });
    const evidence = { writer, incidents, judge: exceptions.judge, onWritten: () => uploadWaiter.wake() };
    const servers = await startLocalServers({
      config,
      store,
      siteId: registration.siteId,
      log,
      status,
      evidence,
      onRosterChanged: roster.wake,
    });
    scheduler.start();
    const rosterLoop = roster.loop({ intervalMs: 60_000, signal: lifetime.signal });
    const loops = Promise.all([
      checkinLoop(),
      uploadLoop(),
      escalationLoop(),
      patternLoop(),
      proofLoop(),
      rosterLoop,
      updater.loop(lifetime.signal),
    ]);
    log.info('appliance started', {
      applianceId,
      siteId: registration.siteId,
      targets: targets.list().length,
      checks: checks.length,
      statusPage: servers.statusUrl,
    });

    let stopping: Promise<void> | null = null;
    return {
      applianceId,
      statusUrl: servers.statusUrl,
      agentPort: servers.agentPort,
      status,
      scheduler,
      /** Stops loops and runs, closes connections, the status page and the store; idempotent. */
      stop(): Promise<void> {
        stopping ??= (async () => {
          lifetime.abort();
          uploadWaiter.wake();
          await scheduler.stop();
          await loops.catch(() => undefined);
          // An approved fix still running finishes (its runbook has its own timeout) before the store closes.
          await Promise.allSettled([...approvedRuns, updater.stop()]);
          await flushOutbox();
          await servers.close();
          await targets.closeAll();
          store.close();
          releaseLock();
          log.info('appliance stopped', { applianceId });
        })();
        return stopping;
      },
    };
  }
}
export type RunningAppliance = Awaited<ReturnType<typeof startAppliance>>;
