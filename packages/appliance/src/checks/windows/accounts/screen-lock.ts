import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput } from '../powershell';
import { POLICIES_SYSTEM_COLLECTOR, PoliciesSystem } from './policies-system';

const ID = 'windows.session.screen-lock';
const MAX_SECONDS = 900;

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, PoliciesSystem);
  if (!parsed.ok) return parsed.error;
  const seconds = parsed.data.inactivityTimeoutSecs;
  const observed = { inactivityTimeoutSecs: seconds, maxSeconds: MAX_SECONDS };
  if (seconds === null || seconds === 0) {
    return { status: 'fail', reason: 'No machine inactivity limit is set, so idle sessions never lock.', observed };
  }
  if (seconds > MAX_SECONDS) {
    return {
      status: 'fail',
      reason: `Idle sessions lock after ${seconds} seconds; the limit is ${MAX_SECONDS}.`,
      observed,
    };
  }
  return { status: 'pass', reason: `Idle sessions lock after ${seconds} seconds.`, observed };
}

export const screenLock: WindowsCheck = { id: ID, collector: POLICIES_SYSTEM_COLLECTOR, evaluate };
