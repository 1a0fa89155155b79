import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.autoplay.disabled';
/** 0xFF: AutoRun off for every drive type (unknown, removable, fixed, network, CD-ROM, RAM disk). */
const ALL_DRIVES = 255;

const COLLECTOR = psScript(`
$key = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer'
[ordered]@{ noDriveTypeAutoRun = Get-RegValue $key 'NoDriveTypeAutoRun'; noAutorun = Get-RegValue $key 'NoAutorun' }
`);

const Output = z.strictObject({
  noDriveTypeAutoRun: z.number().int().min(0).max(0xffff_ffff).nullable(),
  noAutorun: z.number().int().min(0).max(0xffff_ffff).nullable(),
});

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const observed = { ...parsed.data };
  const value = parsed.data.noDriveTypeAutoRun;
  if (value === null) {
    return {
      status: 'fail',
      reason: 'NoDriveTypeAutoRun is not set, so the Windows default leaves AutoPlay on for some drive types.',
      observed,
    };
  }
  if ((value & ALL_DRIVES) !== ALL_DRIVES) {
    return {
      status: 'fail',
      reason: `NoDriveTypeAutoRun is ${value} (0x${value.toString(16)}), which leaves AutoPlay on for some drive types.`,
      observed,
    };
  }
  return {
    status: 'pass',
    reason: 'AutoPlay is turned off for every drive type (NoDriveTypeAutoRun = 255).',
    observed,
  };
}

export const autoplayDisabled: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
