import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AGENT_PROTOCOL_VERSION,
  type AgentConfig,
  AgentConfigSchema,
  AgentHeaderSchema,
  CapabilityTier,
  HeartbeatRequestSchema,
  type HealCommand,
  type HeartbeatResponse,
  type HostFacts,
  QueueStatsSchema,
  ReportHealResultRequestSchema,
  ReportResultsRequestSchema,
  ResultTrigger,
} from '@osiris/protocol/agent-proto';
import { type CheckRunnerDeps, runCheck } from './checks/run-check';
import type { HealExecutor } from './heal/heal-executor';
import type { Logger } from './logger';
import type { ResultQueue } from './queue/result-queue';
import { toCheckResult } from './result-message';
import type { AgentTransport } from './transport/agent-transport';
import { AGENT_VERSION } from './version';

const BATCH_RESULTS = 500;
const BATCH_BYTES = 1024 * 1024;
/** Timers fire at interval × (1 ± JITTER) so a site's agents do not call in lockstep. */
const JITTER = 0.1;

export interface AgentLoopDeps extends CheckRunnerDeps {
  agentId: string;
  transport: AgentTransport;
  queue: ResultQueue;
  heal: HealExecutor;
  hostFacts: () => HostFacts;
  logger: Logger;
  /** Configuration from enrollment (or defaults); replaced by newer versions from heartbeats. */
  initialConfig: AgentConfig;
  random?: () => number;
  hostUptimeSeconds?: () => number;
}

/** Default configuration before the appliance sends one: monitor only, 60 s / 300 s. */
export const defaultAgentConfig = (checkIds: readonly string[]): AgentConfig =>
  create(AgentConfigSchema, {
    configVersion: 0n,
    tier: CapabilityTier.MONITOR_ONLY,
    heartbeatIntervalSeconds: 60,
    resultsIntervalSeconds: 300,
    checks: checkIds.map((checkId) => ({ checkId })),
  });

/** Interval in ms with ±10 % jitter. */
export const jittered = (seconds: number, random: () => number) =>
  Math.round(seconds * 1000 * (1 - JITTER + 2 * JITTER * random()));

/**
 * The agent's schedule: heartbeats (carrying queue stats, returning config, heal commands and
 * on-demand runs), periodic check runs into the durable queue, and queue delivery in seq order.
 */
export function createAgentLoop(deps: AgentLoopDeps) {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const started = now().getTime();
  let config = deps.initialConfig;
  const running = new Set<string>();
  let healChain: Promise<void> = Promise.resolve();
  const timers = new Set<NodeJS.Timeout>();
  let isStopped = true;

  const header = () =>
    create(AgentHeaderSchema, {
      agentId: deps.agentId,
      agentVersion: AGENT_VERSION,
      protocolVersion: AGENT_PROTOCOL_VERSION,
      sentAt: timestampFromDate(now()),
    });

  const queueStats = () => {
    const stats = deps.queue.stats();
    return create(QueueStatsSchema, {
      queuedResults: stats.queuedResults,
      droppedResultsTotal: stats.droppedResultsTotal,
      lastSeq: stats.lastSeq,
      ...(stats.oldestDetectedAt ? { oldestDetectedAt: timestampFromDate(stats.oldestDetectedAt) } : {}),
    });
  };

  /** Runs checks (all configured, or the given ids) and queues every result, passing ones too. */
  async function runChecks(trigger: ResultTrigger, runId: string = randomUUID(), checkIds?: readonly string[]) {
    const settings =
      checkIds && checkIds.length > 0
        ? checkIds.map((checkId) => config.checks.find((c) => c.checkId === checkId) ?? { checkId, params: {} })
        : config.checks;
    for (const setting of settings) {
      const run = await runCheck(deps, setting.checkId, setting.params);
      deps.queue.enqueue(toCheckResult(run, trigger, runId));
    }
  }

  /** Sends queued results oldest first until the queue is empty or the appliance is unreachable. */
  async function flush(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const batch = deps.queue.peek(BATCH_RESULTS, BATCH_BYTES);
      const last = batch.at(-1);
      if (!last) return delivered;
      const response = await deps.transport.reportResults(
        create(ReportResultsRequestSchema, { header: header(), results: batch, queue: queueStats() }),
      );
      for (const rejected of response.rejected) {
        deps.logger.warn('appliance rejected a result', { seq: String(rejected.seq), code: rejected.reason?.code });
      }
      // biome-ignore lint/complexity/useMathMinMax: bigint operands (Math.min takes numbers)
      const acked = response.ackedThroughSeq < last.seq ? response.ackedThroughSeq : last.seq;
      const removed = deps.queue.ackThrough(acked);
      delivered += removed;
      if (removed === 0) {
        deps.logger.warn('appliance acknowledged nothing of a batch; retrying later', {
          first_seq: String(batch[0]?.seq),
        });
        return delivered;
      }
    }
  }

  async function healOne(command: HealCommand) {
    try {
      const result = await deps.heal.execute(command);
      const answer = await deps.transport.reportHealResult(
        create(ReportHealResultRequestSchema, { header: header(), result }),
      );
      deps.heal.markReported(command.commandId);
      deps.logger.info('heal command answered', {
        command_id: command.commandId,
        status: result.status,
        already_recorded: answer.alreadyRecorded,
      });
    } catch (error) {
      // The appliance resends the command until it has a result; the stored result answers it then.
      deps.logger.warn('heal command not answered', {
        command_id: command.commandId,
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      running.delete(command.commandId);
    }
  }

  /**
   * Queues the response's heal commands one after another in the background, so heartbeats go on
   * (listing them in `running_command_ids`) while a long step runs; two steps never overlap.
   */
  function handleHealCommands(response: HeartbeatResponse) {
    for (const command of response.healCommands) {
      if (running.has(command.commandId)) continue;
      running.add(command.commandId);
      healChain = healChain.then(() => healOne(command));
    }
  }

  /** One heartbeat and everything its response asks for. */
  async function heartbeat() {
    const response = await deps.transport.heartbeat(
      create(HeartbeatRequestSchema, {
        header: header(),
        host: deps.hostFacts(),
        hostUptimeSeconds: BigInt(Math.floor(deps.hostUptimeSeconds?.() ?? 0)),
        agentUptimeSeconds: BigInt(Math.floor((now().getTime() - started) / 1000)),
        configVersion: config.configVersion,
        queue: queueStats(),
        runningCommandIds: [...running].slice(0, 16),
      }),
    );
    if (response.config && response.config.configVersion >= config.configVersion) {
      config = response.config;
      deps.logger.info('configuration applied', {
        config_version: String(config.configVersion),
        tier: CapabilityTier[config.tier],
      });
    }
    handleHealCommands(response);
    if (response.checkRun) {
      await runChecks(ResultTrigger.ON_DEMAND, response.checkRun.runId || randomUUID(), response.checkRun.checkIds);
      await flush();
    }
    return response;
  }

  const guarded = (name: string, task: () => Promise<unknown>) => async () => {
    try {
      await task();
    } catch (error) {
      deps.logger.warn(`${name} failed`, { error: error instanceof Error ? error.message : String(error) });
    }
  };

  function every(intervalSeconds: () => number, task: () => Promise<void>) {
    const schedule = () => {
      if (isStopped) return;
      const timer = setTimeout(
        async () => {
          timers.delete(timer);
          await task();
          schedule();
        },
        jittered(intervalSeconds(), random),
      );
      timers.add(timer);
    };
    schedule();
  }

  const scheduledRun = guarded('scheduled check run', async () => {
    await runChecks(ResultTrigger.SCHEDULED);
    await flush();
  });
  const beat = guarded('heartbeat', async () => {
    await heartbeat();
    await flush();
  });

  return {
    get config() {
      return config;
    },
    /** The tier heal commands are judged against (UNSPECIFIED counts as monitor only). */
    tier: () => config.tier,
    runChecks,
    flush,
    heartbeat,
    /** Starts with a check run and a heartbeat, then repeats both on their jittered intervals. */
    async start() {
      isStopped = false;
      await scheduledRun();
      await beat();
      every(() => config.heartbeatIntervalSeconds || 60, beat);
      every(() => config.resultsIntervalSeconds || 300, scheduledRun);
    },
    /** Resolves when every heal command received so far has finished and been reported (or failed to be). */
    settled: (): Promise<void> => healChain,
    stop() {
      isStopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
