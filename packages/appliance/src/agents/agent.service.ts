import { createHash, randomUUID } from 'node:crypto';
import { create, type MessageInitShape, toJson } from '@bufbuild/protobuf';
import { type Timestamp, TimestampSchema, timestampFromDate, timestampMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  AGENT_PROTOCOL_VERSION,
  CapabilityTier,
  type CheckResult,
  CheckResultSchema,
  CheckStatus,
  type EnrollRequest,
  type EnrollResponseSchema,
  type HeartbeatRequest,
  type HeartbeatResponseSchema,
  HealResultSchema,
  HealStatus,
  HostFactsSchema,
  type HostFacts,
  OsFamily,
  QueueStatsSchema,
  type RenewCertificateRequest,
  type RenewCertificateResponseSchema,
  type ReportHealResultRequest,
  type ReportHealResultResponseSchema,
  type ReportResultsRequest,
  type ReportResultsResponseSchema,
} from '@osiris/protocol/agent-proto';
import type { Logger } from '../log';
import type { AgentResultsStore, HealTier, ResultEntry } from './agent-results.store';
import type { AgentsStore } from './agents.store';
import { type AgentConfigSource, type AgentTier, tierRank, type VersionedAgentConfig } from './agent-config';
import { CsrError, type IssuedCertificate, type SiteCa } from './site-ca';

/** The caller of an RPC after mutual TLS: the agent id and serial of its verified certificate. */
export interface AgentIdentity {
  agentId: string;
  serial: string;
}

const MAX_HEAL_COMMANDS_PER_RESPONSE = 16;
const TIER_ENUM: Record<AgentTier, CapabilityTier> = {
  monitor_only: CapabilityTier.MONITOR_ONLY,
  self_heal: CapabilityTier.SELF_HEAL,
  full_remediation: CapabilityTier.FULL_REMEDIATION,
};

export const hashEnrollmentToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

const iso = (date: Date) => date.toISOString();
const timestampJson = (ts: Timestamp) => toJson(TimestampSchema, ts) as string;

function configMessage(config: VersionedAgentConfig) {
  return {
    configVersion: config.version,
    tier: TIER_ENUM[config.tier],
    heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    resultsIntervalSeconds: config.resultsIntervalSeconds,
    checks: config.checks.map((c) => ({ checkId: c.checkId, params: c.params })),
  };
}

function hostColumns(host: HostFacts | undefined) {
  const facts = host ?? create(HostFactsSchema);
  return {
    hostname: facts.hostname,
    osFamily: OsFamily[facts.osFamily] ?? 'UNKNOWN',
    machineId: facts.machineId,
    facts: JSON.stringify(toJson(HostFactsSchema, facts)),
  };
}

/** Why one result can never be accepted, or null when it can be stored. */
function rejectionOf(result: CheckResult): { code: string; message: string } | null {
  if (!(result.status in CheckStatus) || result.status === CheckStatus.UNSPECIFIED)
    return { code: 'INVALID_STATUS', message: `status ${result.status} is not a known check status` };
  if (!result.detectedAt) return { code: 'MISSING_DETECTED_AT', message: 'detected_at is required' };
  if (result.checkId === '') return { code: 'MISSING_CHECK_ID', message: 'check_id is required' };
  try {
    timestampJson(result.detectedAt);
  } catch {
    return { code: 'INVALID_DETECTED_AT', message: 'detected_at is out of range' };
  }
  return null;
}

const CHECK_RUN_TTL_MS = 60 * 60_000;

/**
 * What the appliance does for each AgentService RPC, once the server has authenticated the
 * caller and checked the message's bounds. Refusals are ConnectErrors with the contract's codes.
 */
export function createAgentService(deps: {
  siteId: string;
  ca: SiteCa;
  agents: AgentsStore;
  results: AgentResultsStore;
  config: AgentConfigSource;
  clientCertificateValidityMs: number;
  log: Logger;
  now?: () => Date;
  /** Called after new results or a new heal result were stored (e.g. to write them as evidence). */
  onReported?: () => void;
  /** Called after an agent enrolled. */
  onEnrolled?: () => void;
}) {
  const now = deps.now ?? (() => new Date());

  async function issue(csrDer: Uint8Array, agentId: string): Promise<IssuedCertificate> {
    try {
      return await deps.ca.issueClientCertificate(csrDer, agentId, deps.clientCertificateValidityMs);
    } catch (error) {
      if (error instanceof CsrError) throw new ConnectError(error.message, Code.InvalidArgument);
      throw error;
    }
  }

  function refuseToken(reason: string, remote: string): never {
    // The token is a secret: only the reason and where the call came from are logged.
    deps.log.warn('agent enrollment refused', { reason, remote });
    throw new ConnectError('enrollment refused', Code.Unauthenticated);
  }

  return {
    async enroll(request: EnrollRequest, remote: string): Promise<MessageInitShape<typeof EnrollResponseSchema>> {
      const tokenHash = hashEnrollmentToken(request.enrollmentToken);
      const peek = deps.agents.peekToken(tokenHash, now());
      if (typeof peek === 'string') refuseToken(peek, remote);
      const agentId = randomUUID();
      const certificate = await issue(request.csrDer, agentId);
      const at = now();
      const enrolled = deps.agents.enroll(
        tokenHash,
        at,
        {
          agentId,
          siteId: deps.siteId,
          ...hostColumns(request.host),
          agentVersion: request.agentVersion,
          protocolVersion: request.protocolVersion,
          enrolledAt: iso(at),
        },
        {
          serial: certificate.serial,
          agentId,
          notBefore: iso(certificate.notBefore),
          notAfter: iso(certificate.notAfter),
        },
      );
      if (typeof enrolled === 'string') refuseToken(enrolled, remote);
      deps.log.info('agent enrolled', { agentId, hostname: request.host?.hostname ?? '', tokenId: enrolled.tokenId });
      deps.onEnrolled?.();
      return {
        agentId,
        siteId: deps.siteId,
        clientCertificateDer: certificate.der,
        caChainDer: [deps.ca.caDer],
        certificateNotAfter: timestampFromDate(certificate.notAfter),
        config: configMessage(deps.config.current()),
        protocolVersion: AGENT_PROTOCOL_VERSION,
      };
    },

    async renewCertificate(
      request: RenewCertificateRequest,
      identity: AgentIdentity,
    ): Promise<MessageInitShape<typeof RenewCertificateResponseSchema>> {
      const certificate = await issue(request.csrDer, identity.agentId);
      deps.agents.addCertificate(
        {
          serial: certificate.serial,
          agentId: identity.agentId,
          notBefore: iso(certificate.notBefore),
          notAfter: iso(certificate.notAfter),
        },
        now(),
      );
      deps.log.info('agent certificate renewed', { agentId: identity.agentId, serial: certificate.serial });
      return {
        clientCertificateDer: certificate.der,
        caChainDer: [deps.ca.caDer],
        certificateNotAfter: timestampFromDate(certificate.notAfter),
      };
    },

    heartbeat(request: HeartbeatRequest, identity: AgentIdentity): MessageInitShape<typeof HeartbeatResponseSchema> {
      const at = now();
      const header = request.header;
      const config = deps.config.current();
      deps.agents.recordHeartbeat({
        agentId: identity.agentId,
        ...(request.host
          ? hostColumns(request.host)
          : { hostname: null, osFamily: null, machineId: null, facts: null }),
        agentVersion: header?.agentVersion ?? '',
        protocolVersion: header?.protocolVersion ?? 0,
        at: iso(at),
        clockSkewMs: header?.sentAt ? Math.round(timestampMs(header.sentAt) - at.getTime()) : null,
        configVersion: Number(request.configVersion),
        queue: request.queue ? JSON.stringify(toJson(QueueStatsSchema, request.queue)) : null,
        droppedResultsTotal: Number(request.queue?.droppedResultsTotal ?? 0n),
      });
      const running = new Set(request.runningCommandIds);
      const allowed = tierRank(config.tier);
      const commands = deps.results
        .pendingHealCommands(identity.agentId, at)
        .filter((c) => !running.has(c.commandId) && tierRank(c.requiredTier) <= allowed)
        .slice(0, MAX_HEAL_COMMANDS_PER_RESPONSE);
      const pendingRun = deps.results.pendingCheckRun(identity.agentId, at);
      const checkRun = pendingRun ? { runId: pendingRun.runId, checkIds: pendingRun.checkIds } : null;
      return {
        serverTime: timestampFromDate(at),
        protocolVersion: AGENT_PROTOCOL_VERSION,
        ...(request.configVersion !== config.version ? { config: configMessage(config) } : {}),
        healCommands: commands.map((c) => ({
          commandId: c.commandId,
          runbookId: c.runbookId,
          checkId: c.checkId,
          params: c.params,
          requiredTier: TIER_ENUM[c.requiredTier],
          timeoutSeconds: c.timeoutSeconds,
          issuedAt: timestampFromDate(new Date(c.issuedAt)),
          expiresAt: timestampFromDate(new Date(c.expiresAt)),
          incidentId: c.incidentId ?? '',
        })),
        ...(checkRun ? { checkRun } : {}),
      };
    },

    reportResults(
      request: ReportResultsRequest,
      identity: AgentIdentity,
    ): MessageInitShape<typeof ReportResultsResponseSchema> {
      const { results } = request;
      if (results.length === 0) throw new ConnectError('results must hold 1..500 results', Code.InvalidArgument);
      for (let i = 1; i < results.length; i++)
        if ((results[i]?.seq ?? 0n) <= (results[i - 1]?.seq ?? 0n))
          throw new ConnectError('results must be in strictly increasing seq order', Code.InvalidArgument);
      const receivedAt = iso(now());
      const rejected: { seq: bigint; reason: { code: string; message: string } }[] = [];
      const entries: ResultEntry[] = results.map((result) => {
        const rejection = rejectionOf(result);
        if (rejection) {
          rejected.push({ seq: result.seq, reason: rejection });
          return { kind: 'rejected', seq: Number(result.seq), ...rejection };
        }
        return {
          kind: 'result',
          result: {
            agentId: identity.agentId,
            seq: Number(result.seq),
            checkId: result.checkId,
            status: CheckStatus[result.status] ?? String(result.status),
            detectedAt: timestampJson(result.detectedAt as Timestamp),
            receivedAt,
            body: JSON.stringify(toJson(CheckResultSchema, result)),
          },
        };
      });
      const { stored, duplicates } = deps.results.storeBatch(identity.agentId, entries, receivedAt);
      for (const runId of new Set(results.map((r) => r.runId).filter(Boolean)))
        deps.results.completeCheckRun(identity.agentId, runId);
      if (stored > 0) deps.onReported?.();
      if (rejected.length > 0)
        deps.log.warn('agent results rejected', {
          agentId: identity.agentId,
          rejected: rejected.map((r) => `${r.seq}:${r.reason.code}`).slice(0, 20),
        });
      return {
        ackedThroughSeq: results[results.length - 1]?.seq ?? 0n,
        storedCount: stored,
        duplicateCount: duplicates,
        rejected,
      };
    },

    reportHealResult(
      request: ReportHealResultRequest,
      identity: AgentIdentity,
    ): MessageInitShape<typeof ReportHealResultResponseSchema> {
      const result = request.result;
      if (!result) throw new ConnectError('result is required', Code.InvalidArgument);
      const command = deps.results.healCommand(result.commandId);
      if (!command || command.agentId !== identity.agentId) throw new ConnectError('unknown command_id', Code.NotFound);
      if (!(result.status in HealStatus) || result.status === HealStatus.UNSPECIFIED)
        throw new ConnectError('status must be a known heal status', Code.InvalidArgument);
      const { recovery_key: recoveryKey, ...artifacts } = result.artifacts;
      // The recovery key is a secret: it is not written to the database or the log (see the README).
      const kept = create(HealResultSchema, { ...result, artifacts });
      const isNew = deps.results.recordHealResult(
        result.commandId,
        HealStatus[result.status] ?? String(result.status),
        JSON.stringify({
          ...(toJson(HealResultSchema, kept) as object),
          recoveryKeyWithheld: recoveryKey !== undefined,
        }),
        now(),
      );
      if (isNew) deps.onReported?.();
      deps.log.info('agent heal result', {
        agentId: identity.agentId,
        commandId: result.commandId,
        status: HealStatus[result.status],
        alreadyRecorded: !isNew,
      });
      return { alreadyRecorded: !isNew };
    },

    /** Queues a heal command for an agent, refused (as data) above the site's tier. */
    queueHealCommand(command: {
      agentId: string;
      runbookId: string;
      checkId: string;
      params?: Record<string, string>;
      requiredTier: HealTier;
      timeoutSeconds: number;
      ttlSeconds: number;
      incidentId?: string;
    }): { ok: true; commandId: string } | { ok: false; code: string; message: string } {
      const agent = deps.agents.agent(command.agentId);
      if (!agent || agent.revokedAt) return { ok: false, code: 'UNKNOWN_AGENT', message: 'no such active agent' };
      const tier = deps.config.current().tier;
      if (tierRank(command.requiredTier) > tierRank(tier))
        return { ok: false, code: 'TIER_NOT_ALLOWED', message: `the site's tier is ${tier}` };
      const commandId = randomUUID();
      const at = now();
      deps.results.insertHealCommand({
        commandId,
        agentId: command.agentId,
        runbookId: command.runbookId,
        checkId: command.checkId,
        params: command.params ?? {},
        requiredTier: command.requiredTier,
        timeoutSeconds: command.timeoutSeconds,
        incidentId: command.incidentId ?? null,
        issuedAt: iso(at),
        expiresAt: iso(new Date(at.getTime() + command.ttlSeconds * 1000)),
      });
      return { ok: true, commandId };
    },

    /**
     * Asks an agent for fresh results: the request rides on every heartbeat response until results
     * with its run id arrive (or an hour passes); it is stored, so it survives a restart.
     */
    requestCheckRun(agentId: string, checkIds: string[] = []): string {
      const runId = randomUUID();
      const at = now();
      deps.results.saveCheckRun(agentId, {
        runId,
        checkIds,
        requestedAt: iso(at),
        expiresAt: iso(new Date(at.getTime() + CHECK_RUN_TTL_MS)),
      });
      return runId;
    },
  };
}

export type AgentService = ReturnType<typeof createAgentService>;
