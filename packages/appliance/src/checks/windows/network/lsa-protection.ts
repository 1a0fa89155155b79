import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput } from '../powershell';
import { LSA_COLLECTOR, LsaSettings } from './lsa-settings';

const ID = 'windows.lsa.protection';

/** RunAsPPL 1 = protected with a UEFI lock, 2 = protected without it (Windows 11 22H2 and later). */
function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, LsaSettings);
  if (!parsed.ok) return parsed.error;
  const { runAsPPL } = parsed.data;
  const observed = { runAsPPL };
  if (runAsPPL === 1 || runAsPPL === 2) {
    return { status: 'pass', reason: `The LSA runs as a protected process (RunAsPPL = ${runAsPPL}).`, observed };
  }
  return {
    status: 'fail',
    reason: `The LSA is not a protected process (RunAsPPL ${runAsPPL === null ? 'is not set' : `= ${runAsPPL}`}).`,
    observed,
  };
}

export const lsaProtection: WindowsCheck = { id: ID, collector: LSA_COLLECTOR, evaluate };
