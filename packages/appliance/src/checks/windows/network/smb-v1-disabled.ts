import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.smb.v1-disabled';

const COLLECTOR = psScript(`
$config = Get-SmbServerConfiguration
[ordered]@{ enableSMB1Protocol = [bool]$config.EnableSMB1Protocol; enableSMB2Protocol = [bool]$config.EnableSMB2Protocol }
`);

const Output = z.strictObject({ enableSMB1Protocol: z.boolean(), enableSMB2Protocol: z.boolean() });

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const observed = { ...parsed.data };
  if (parsed.data.enableSMB1Protocol) {
    return { status: 'fail', reason: 'The SMB server still accepts SMBv1 connections.', observed };
  }
  return { status: 'pass', reason: 'The SMB server has SMBv1 disabled.', observed };
}

export const smbV1Disabled: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
