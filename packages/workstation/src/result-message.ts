import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  type CheckObservation,
  CheckObservationSchema,
  type CheckResult,
  CheckResultSchema,
  CheckStatus,
  FailureSchema,
  type ResultTrigger,
} from '@osiris/protocol/agent-proto';
import type { CheckOutcome } from './checks/check';
import type { CheckRun } from './checks/run-check';

const STATUS: Record<CheckOutcome, CheckStatus> = {
  PASS: CheckStatus.PASS,
  FAIL: CheckStatus.FAIL,
  ERROR: CheckStatus.ERROR,
  UNSUPPORTED: CheckStatus.UNSUPPORTED,
};

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return bytes
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}

/** The observed map within the proto's bounds (64 entries, 64-byte keys, 1024-byte values). */
function boundedObserved(observed: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(observed).slice(0, 64))
    out[truncateUtf8(key, 64)] = truncateUtf8(value, 1024);
  return out;
}

/** A check run as the wire message (without seq: the queue assigns it). */
export function toCheckResult(run: CheckRun, trigger: ResultTrigger, runId: string): CheckResult {
  return create(CheckResultSchema, {
    checkId: run.checkId,
    status: STATUS[run.status],
    detectedAt: timestampFromDate(run.detectedAt),
    observed: boundedObserved(run.observed),
    expected: truncateUtf8(run.expected, 512),
    actual: truncateUtf8(run.actual, 512),
    ...(run.error
      ? {
          error: create(FailureSchema, {
            code: truncateUtf8(run.error.code, 64),
            message: truncateUtf8(run.error.message, 1024),
          }),
        }
      : {}),
    runId,
    trigger,
    durationMs: Math.min(run.durationMs, 3_600_000),
  });
}

/** A check run as a heal command's before/after observation. */
export function toObservation(run: CheckRun): CheckObservation {
  return create(CheckObservationSchema, {
    status: STATUS[run.status],
    observedAt: timestampFromDate(run.detectedAt),
    observed: boundedObserved(run.observed),
    actual: truncateUtf8(run.actual, 512),
  });
}
