import { create } from '@bufbuild/protobuf';
import {
  CheckResultSchema,
  EnrollRequestSchema,
  HeartbeatRequestSchema,
  ReportResultsRequestSchema,
} from '@osiris/protocol/agent-proto';
import { describe, expect, it } from 'vitest';
import { findLimitViolation } from './field-limits';

const header = { agentId: '7b0c1f9e-4a53-4c55-9a3e-2f1f3c1d9b10', agentVersion: '1.0.0', protocolVersion: 1 };

describe('findLimitViolation', () => {
  it('accepts a message within every bound', () => {
    const request = create(HeartbeatRequestSchema, {
      header,
      host: { hostname: 'pc-1', ipAddresses: ['10.0.0.5'], macAddresses: ['aa:bb:cc:dd:ee:ff'] },
    });
    expect(findLimitViolation(HeartbeatRequestSchema, request)).toBeNull();
  });

  it('measures strings in UTF-8 bytes, not characters', () => {
    const request = create(EnrollRequestSchema, { enrollmentToken: 'é'.repeat(129), protocolVersion: 1 });
    expect(findLimitViolation(EnrollRequestSchema, request)).toBe(
      'EnrollRequest.enrollment_token: longer than 256 bytes',
    );
  });

  it('refuses too many list items and an oversized list element in a nested message', () => {
    const many = create(HeartbeatRequestSchema, {
      header,
      host: { ipAddresses: Array.from({ length: 33 }, (_, i) => `10.0.0.${i}`) },
    });
    expect(findLimitViolation(HeartbeatRequestSchema, many)).toBe(
      'HeartbeatRequest.host.ip_addresses: more than 32 items',
    );
    const long = create(HeartbeatRequestSchema, { header, host: { macAddresses: ['x'.repeat(18)] } });
    expect(findLimitViolation(HeartbeatRequestSchema, long)).toBe(
      'HeartbeatRequest.host.mac_addresses[0]: longer than 17 bytes',
    );
  });

  it('checks map sizes, keys and values inside repeated messages', () => {
    const result = (observed: Record<string, string>) =>
      create(ReportResultsRequestSchema, {
        header,
        results: [create(CheckResultSchema, { seq: 1n, checkId: 'firewall', observed })],
      });
    expect(findLimitViolation(ReportResultsRequestSchema, result({ ok: 'x'.repeat(1024) }))).toBeNull();
    expect(findLimitViolation(ReportResultsRequestSchema, result({ ok: 'x'.repeat(1025) }))).toBe(
      'ReportResultsRequest.results[0].observed["ok"]: longer than 1024 bytes',
    );
    expect(findLimitViolation(ReportResultsRequestSchema, result({ ['k'.repeat(65)]: 'v' }))).toBe(
      'ReportResultsRequest.results[0].observed: a key is longer than 64 bytes',
    );
  });

  it('enforces integer ranges, including a required minimum', () => {
    const zeroSeq = create(ReportResultsRequestSchema, { header, results: [{ seq: 0n, checkId: 'a' }] });
    expect(findLimitViolation(ReportResultsRequestSchema, zeroSeq)).toBe(
      'ReportResultsRequest.results[0].seq: below 1',
    );
    const future = create(HeartbeatRequestSchema, { header: { ...header, protocolVersion: 1001 } });
    expect(findLimitViolation(HeartbeatRequestSchema, future)).toBe(
      'HeartbeatRequest.header.protocol_version: above 1000',
    );
  });
});
