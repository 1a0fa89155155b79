import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { CheckResultSchema, CheckStatus } from '@osiris/protocol/agent-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentDb, openAgentDb } from '../src/queue/agent-db';
import { createResultQueue } from '../src/queue/result-queue';

let dir: string;
let path: string;
let db: AgentDb | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'osiris-agent-queue-'));
  path = join(dir, 'agent.db');
});
afterEach(() => {
  db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const open = (maxResults?: number) => {
  db?.close();
  db = openAgentDb(path);
  return createResultQueue(db, maxResults === undefined ? {} : { maxResults });
};

const result = (checkId: string, minute: number) =>
  create(CheckResultSchema, {
    checkId,
    status: CheckStatus.FAIL,
    detectedAt: timestampFromDate(new Date(Date.UTC(2026, 11, 1, 8, minute))),
    actual: `${checkId}@${minute}`,
  });

describe('offline result queue (SQLite file)', () => {
  it('uses WAL and assigns increasing seqs from 1', () => {
    const queue = open();
    expect(db?.pragma('journal_mode', { simple: true })).toBe('wal');
    expect([queue.enqueue(result('firewall', 1)), queue.enqueue(result('firewall', 2))]).toEqual([1n, 2n]);
  });

  it('keeps order, seqs and detection times across a restart, and never reuses a seq after acks', () => {
    let queue = open();
    for (let minute = 0; minute < 5; minute++)
      queue.enqueue(result(minute % 2 ? 'firewall' : 'disk_encryption', minute));
    queue = open(); // close and reopen the file
    const peeked = queue.peek(10);
    expect(peeked.map((r) => r.seq)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(peeked.map((r) => r.actual)).toEqual([
      'disk_encryption@0',
      'firewall@1',
      'disk_encryption@2',
      'firewall@3',
      'disk_encryption@4',
    ]);
    expect(timestampDate(peeked[0]?.detectedAt ?? timestampFromDate(new Date(0))).toISOString()).toBe(
      '2026-12-01T08:00:00.000Z',
    );
    expect(queue.ackThrough(5n)).toBe(5);
    queue = open();
    expect(queue.stats()).toEqual({ queuedResults: 0, droppedResultsTotal: 0n, lastSeq: 5n });
    expect(queue.enqueue(result('firewall', 9))).toBe(6n);
  });

  it('deletes only what was acknowledged and reports the oldest queued detection time', () => {
    const queue = open();
    for (let minute = 0; minute < 4; minute++) queue.enqueue(result('firewall', minute));
    expect(queue.ackThrough(2n)).toBe(2);
    expect(queue.peek(10).map((r) => r.seq)).toEqual([3n, 4n]);
    expect(queue.stats().oldestDetectedAt?.toISOString()).toBe('2026-12-01T08:02:00.000Z');
  });

  it('on overflow drops the oldest superseded results, keeps the newest per check, counts the drops', () => {
    const queue = open(3);
    queue.enqueue(result('firewall', 0)); // 1
    queue.enqueue(result('disk_encryption', 1)); // 2
    queue.enqueue(result('firewall', 2)); // 3
    queue.enqueue(result('screen_lock', 3)); // 4 → drops 1 (firewall has newer 3)
    queue.enqueue(result('disk_encryption', 4)); // 5 → drops 2
    expect(queue.peek(10).map((r) => `${r.seq}:${r.actual}`)).toEqual([
      '3:firewall@2',
      '4:screen_lock@3',
      '5:disk_encryption@4',
    ]);
    expect(queue.stats()).toMatchObject({ queuedResults: 3, droppedResultsTotal: 2n, lastSeq: 5n });
    // Every check's newest result is kept even when that exceeds the bound.
    queue.enqueue(result('os_updates', 5));
    expect(queue.peek(10).map((r) => r.checkId)).toEqual(['firewall', 'screen_lock', 'disk_encryption', 'os_updates']);
    expect(open(3).stats().droppedResultsTotal).toBe(2n);
  });

  it('limits a batch by count and by encoded size, always returning at least one result', () => {
    const queue = open();
    for (let minute = 0; minute < 5; minute++) queue.enqueue(result('firewall', minute));
    expect(queue.peek(2).map((r) => r.seq)).toEqual([1n, 2n]);
    expect(queue.peek(10, 1)).toHaveLength(1);
  });

  it('refuses a result without a detection time', () => {
    const queue = open();
    expect(() => queue.enqueue(create(CheckResultSchema, { checkId: 'firewall' }))).toThrow(/detected_at/);
  });
});
