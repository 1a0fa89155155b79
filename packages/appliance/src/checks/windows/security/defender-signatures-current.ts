import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput } from '../powershell';
import { DEFENDER_COLLECTOR, DefenderStatus } from './defender-status';

const ID = 'windows.defender.signatures-current';
const MAX_AGE_DAYS = 3;

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, DefenderStatus);
  if (!parsed.ok) return parsed.error;
  const data = parsed.data;
  if (!data.isAvailable) {
    return {
      status: 'fail',
      reason:
        'Microsoft Defender is not present (Get-MpComputerStatus is missing), so there are no signatures to check.',
      observed: { isAvailable: false },
    };
  }
  const observed = {
    antivirusSignatureAge: data.antivirusSignatureAge,
    antivirusSignatureLastUpdated: data.antivirusSignatureLastUpdated,
    antivirusSignatureVersion: data.antivirusSignatureVersion,
    maxAgeDays: MAX_AGE_DAYS,
  };
  if (data.antivirusSignatureAge > MAX_AGE_DAYS) {
    return {
      status: 'fail',
      reason: `Defender signatures (${data.antivirusSignatureVersion || 'unknown version'}) are ${data.antivirusSignatureAge} days old; the limit is ${MAX_AGE_DAYS}.`,
      observed,
    };
  }
  return {
    status: 'pass',
    reason: `Defender signatures ${data.antivirusSignatureVersion} are ${data.antivirusSignatureAge} days old.`,
    observed,
  };
}

export const defenderSignaturesCurrent: WindowsCheck = { id: ID, collector: DEFENDER_COLLECTOR, evaluate };
