import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.time.service-synchronized';
const MAX_STRATUM = 9;
/** What w32tm reports as Source when the clock is not synchronized from anywhere. */
const UNSYNCED_SOURCES = /^(?:Local CMOS Clock|Free-running System Clock)$/i;

/**
 * `w32tm /query /status` prints "Stratum: 3 (secondary reference - syncd by (S)NTP)" and
 * "Source: time.windows.com,0x9". The labels are English on English builds; on other display
 * languages they are not found and the check reports an error instead of guessing.
 */
const COLLECTOR = psScript(`
$service = Get-Service -Name W32Time -ErrorAction SilentlyContinue
if ($null -eq $service) { return [ordered]@{ serviceStatus = 'Missing'; startType = ''; stratum = $null; source = $null } }
$stratum = $null
$source = $null
if ($service.Status -eq 'Running') {
  $lines = @(& w32tm.exe /query /status)
  foreach ($line in $lines) {
    if ($line -match '^\\s*Stratum:\\s*(\\d+)') { $stratum = [int]$Matches[1] }
    if ($line -match '^\\s*Source:\\s*(.+?)\\s*$') { $source = $Matches[1] }
  }
}
[ordered]@{ serviceStatus = [string]$service.Status; startType = [string]$service.StartType; stratum = $stratum; source = $source }
`);

const Output = z.strictObject({
  serviceStatus: z.string().min(1).max(30),
  startType: z.string().max(30),
  stratum: z.number().int().min(0).max(16).nullable(),
  source: z.string().max(200).nullable(),
});

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const { serviceStatus, stratum, source } = parsed.data;
  const observed = { ...parsed.data };
  if (serviceStatus !== 'Running') {
    return {
      status: 'fail',
      reason: `The Windows Time service is ${serviceStatus}, so the clock drifts unchecked.`,
      observed,
    };
  }
  if (stratum === null || source === null) {
    return errorEvaluation('w32tm /query /status printed no Stratum or Source line that could be read.', observed);
  }
  if (UNSYNCED_SOURCES.test(source) || stratum > MAX_STRATUM || stratum === 0) {
    return { status: 'fail', reason: `The clock is not synchronized: source ${source}, stratum ${stratum}.`, observed };
  }
  return { status: 'pass', reason: `Windows Time synchronizes from ${source} at stratum ${stratum}.`, observed };
}

export const timeService: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
