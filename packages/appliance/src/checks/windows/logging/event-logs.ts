import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { errorEvaluation } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.logging.event-logs';

/** Minimum sizes in bytes (CIS: Security 196,608 KB; Application and System 32,768 KB). */
export const EVENT_LOG_MIN_BYTES: Readonly<Record<string, number>> = {
  Security: 196_608 * 1024,
  System: 32_768 * 1024,
  Application: 32_768 * 1024,
};

/** The log list needs the EventLog service; when it is stopped the logs are not queried. */
const COLLECTOR = psScript(`
$service = Get-Service -Name EventLog
$logs = @()
if ($service.Status -eq 'Running') {
  $logs = @(foreach ($name in 'Security', 'System', 'Application') {
    $log = Get-WinEvent -ListLog $name
    [ordered]@{ name = $name; isEnabled = [bool]$log.IsEnabled; maximumSizeInBytes = [int64]$log.MaximumSizeInBytes; logMode = [string]$log.LogMode }
  })
}
[ordered]@{ serviceStatus = [string]$service.Status; logs = $logs }
`);

const Output = z.strictObject({
  serviceStatus: z.string().min(1).max(30),
  logs: z
    .array(
      z.strictObject({
        name: z.string().max(40),
        isEnabled: z.boolean(),
        maximumSizeInBytes: z.number().int().min(0),
        logMode: z.string().max(20),
      }),
    )
    .max(10),
});

const mib = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MiB`;

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const { serviceStatus, logs } = parsed.data;
  const observed = {
    serviceStatus,
    logs: logs.map(
      (l) => `${l.name}: ${l.isEnabled ? 'enabled' : 'disabled'}, ${mib(l.maximumSizeInBytes)}, ${l.logMode}`,
    ),
  };
  if (serviceStatus !== 'Running') {
    return {
      status: 'fail',
      reason: `The Windows Event Log service is ${serviceStatus}, so nothing is being logged.`,
      observed,
    };
  }
  const missing = Object.keys(EVENT_LOG_MIN_BYTES).filter((name) => !logs.some((l) => l.name === name));
  if (missing.length > 0)
    return errorEvaluation(`Get-WinEvent did not report the ${missing.join(', ')} log.`, observed);
  const found: string[] = [];
  for (const log of logs) {
    const min = EVENT_LOG_MIN_BYTES[log.name];
    if (min === undefined) continue;
    if (!log.isEnabled) found.push(`the ${log.name} log is disabled`);
    else if (log.maximumSizeInBytes < min)
      found.push(`the ${log.name} log holds ${mib(log.maximumSizeInBytes)} (needs ${mib(min)})`);
  }
  if (found.length > 0)
    return { status: 'fail', reason: `Event logs would lose audit records: ${found.join('; ')}.`, observed };
  return {
    status: 'pass',
    reason:
      'The Event Log service is running and the Security, System and Application logs are enabled and large enough.',
    observed,
  };
}

export const eventLogs: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
