import { create, type DescField, fromBinary, ScalarType, toBinary } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import {
  AGENT_PROTOCOL_VERSION,
  AgentService,
  CapabilityTier,
  CheckStatus,
  file_osiris_agent_v1_agent,
  getFieldLimits,
  getMaxEncodedBytes,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  OsFamily,
  ReportResultsRequestSchema,
  ResultTrigger,
} from './agent-proto';

const AGENT_ID = '3f1c2a9e-7b4d-4e2a-9c1f-0d8e6b5a4c3b';
const header = (sentAt: Date) => ({
  agentId: AGENT_ID,
  agentVersion: '1.0.0',
  protocolVersion: AGENT_PROTOCOL_VERSION,
  sentAt: timestampFromDate(sentAt),
});

describe('agent protocol v1 messages', () => {
  it('round-trips a heartbeat with host facts, queue state and running commands', () => {
    const oldest = new Date('2026-11-30T22:15:03.250Z');
    const sent = create(HeartbeatRequestSchema, {
      header: header(new Date('2026-12-01T08:00:00.125Z')),
      host: {
        hostname: 'FRONTDESK-01',
        osFamily: OsFamily.WINDOWS,
        osName: 'Windows 11 Pro',
        osVersion: '10.0.26100',
        architecture: 'x64',
        ipAddresses: ['10.0.20.31'],
      },
      hostUptimeSeconds: 86_400n,
      agentUptimeSeconds: 42n,
      configVersion: 7n,
      queue: {
        queuedResults: 120,
        droppedResultsTotal: 3n,
        lastSeq: 9_001n,
        oldestDetectedAt: timestampFromDate(oldest),
      },
      runningCommandIds: ['a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d'],
    });

    const received = fromBinary(HeartbeatRequestSchema, toBinary(HeartbeatRequestSchema, sent));

    expect(received).toEqual(sent);
    expect(received.header?.protocolVersion).toBe(1);
    expect(received.host?.osFamily).toBe(OsFamily.WINDOWS);
    expect(received.queue?.lastSeq).toBe(9_001n);
    const oldestReceived = received.queue?.oldestDetectedAt;
    expect(oldestReceived && timestampDate(oldestReceived).toISOString()).toBe(oldest.toISOString());
  });

  it('round-trips a heartbeat response carrying a heal command and configuration', () => {
    const sent = create(HeartbeatResponseSchema, {
      protocolVersion: AGENT_PROTOCOL_VERSION,
      config: {
        configVersion: 8n,
        tier: CapabilityTier.SELF_HEAL,
        heartbeatIntervalSeconds: 60,
        resultsIntervalSeconds: 300,
        checks: [{ checkId: 'firewall' }, { checkId: 'screen_lock', params: { max_idle_seconds: '900' } }],
      },
      healCommands: [
        {
          commandId: 'b7e3c1d2-5a6f-4b8c-9d0e-1f2a3b4c5d6e',
          runbookId: 'RB-WIN-SEC-001',
          checkId: 'firewall',
          requiredTier: CapabilityTier.SELF_HEAL,
          timeoutSeconds: 60,
        },
      ],
    });

    const received = fromBinary(HeartbeatResponseSchema, toBinary(HeartbeatResponseSchema, sent));

    expect(received).toEqual(sent);
    expect(received.healCommands[0]?.requiredTier).toBe(CapabilityTier.SELF_HEAL);
    expect(received.config?.checks[1]?.params).toEqual({ max_idle_seconds: '900' });
  });

  it('keeps every seq and detection time of a results batch, passing results included', () => {
    // Detected hours before sending (agent offline meanwhile), with sub-millisecond precision.
    const detected = [
      { seconds: 1_764_540_000n, nanos: 123_456_789 },
      { seconds: 1_764_540_300n, nanos: 1 },
      { seconds: 1_764_540_600n, nanos: 0 },
    ];
    const sent = create(ReportResultsRequestSchema, {
      header: header(new Date('2026-12-01T09:00:00Z')),
      results: [
        {
          seq: 41n,
          checkId: 'firewall',
          status: CheckStatus.PASS,
          detectedAt: detected[0],
          trigger: ResultTrigger.SCHEDULED,
        },
        {
          seq: 43n, // 42 was dropped by the queue's overflow policy: gaps are allowed, reordering is not
          checkId: 'bitlocker',
          status: CheckStatus.FAIL,
          detectedAt: detected[1],
          observed: { protection_status: '0', drive_letter: 'C:' },
          expected: 'BitLocker protection on for C:',
          actual: 'ProtectionStatus=0 (off)',
        },
        {
          seq: 2n ** 60n, // uint64 beyond Number.MAX_SAFE_INTEGER survives as bigint
          checkId: 'linux_disk_encryption',
          status: CheckStatus.UNSUPPORTED,
          detectedAt: detected[2],
          error: { code: 'UNSUPPORTED_PLATFORM', message: 'not a Linux host' },
        },
      ],
      queue: { queuedResults: 0, droppedResultsTotal: 1n, lastSeq: 2n ** 60n },
    });

    const received = fromBinary(ReportResultsRequestSchema, toBinary(ReportResultsRequestSchema, sent));

    expect(received.results.map((r) => r.seq)).toEqual([41n, 43n, 2n ** 60n]);
    expect(received.results.map((r) => ({ seconds: r.detectedAt?.seconds, nanos: r.detectedAt?.nanos }))).toEqual(
      detected,
    );
    expect(received.results.map((r) => r.status)).toEqual([
      CheckStatus.PASS,
      CheckStatus.FAIL,
      CheckStatus.UNSUPPORTED,
    ]);
    expect(received.results[1]?.observed).toEqual({ protection_status: '0', drive_letter: 'C:' });
    expect(received.results[2]?.error?.code).toBe('UNSUPPORTED_PLATFORM');
    expect(received).toEqual(sent);
  });
});

function missingBounds(field: DescField): string[] {
  const l = getFieldLimits(field);
  const isText = (s: ScalarType | undefined) => s === ScalarType.STRING || s === ScalarType.BYTES;
  const need: string[] = [];
  switch (field.fieldKind) {
    case 'scalar':
      if (isText(field.scalar) && !l?.maxBytes) need.push('max_bytes');
      break;
    case 'list':
      if (!l?.maxItems) need.push('max_items');
      if (field.listKind === 'scalar' && isText(field.scalar) && !l?.maxBytes) need.push('max_bytes');
      break;
    case 'map':
      if (!l?.maxItems) need.push('max_items');
      if (!l?.maxKeyBytes) need.push('max_key_bytes');
      if (field.mapKind === 'scalar' && isText(field.scalar) && !l?.maxBytes) need.push('max_bytes');
      break;
  }
  return need.map((n) => `${field.parent.name}.${field.name}: ${n}`);
}

describe('agent protocol v1 bounds', () => {
  it('declares bounds on every string, bytes, repeated and map field', () => {
    const messages = file_osiris_agent_v1_agent.messages;
    expect(messages.length).toBeGreaterThan(20);
    expect(messages.flatMap((m) => m.fields.flatMap(missingBounds))).toEqual([]);
  });

  it('has unary methods whose requests and responses declare a maximum encoded size', () => {
    expect(AgentService.methods.map((m) => m.name)).toEqual([
      'Enroll',
      'RenewCertificate',
      'Heartbeat',
      'ReportResults',
      'ReportHealResult',
    ]);
    for (const method of AgentService.methods) {
      expect(method.methodKind, method.name).toBe('unary');
      expect(getMaxEncodedBytes(method.input), method.input.name).toBeGreaterThan(0);
      expect(getMaxEncodedBytes(method.output), method.output.name).toBeGreaterThan(0);
    }
  });

  it('exposes the documented limits to code through the descriptors', () => {
    expect(getFieldLimits(ReportResultsRequestSchema.field.results)?.maxItems).toBe(500);
    expect(getMaxEncodedBytes(ReportResultsRequestSchema)).toBe(4 * 1024 * 1024);
    expect(getFieldLimits(HeartbeatResponseSchema.field.healCommands)?.maxItems).toBe(16);
    expect(getFieldLimits(HeartbeatRequestSchema.field.configVersion)).toBeUndefined();
  });
});
