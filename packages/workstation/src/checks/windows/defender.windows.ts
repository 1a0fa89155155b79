import { z } from 'zod';
import { type CheckParams, commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson } from '../check';
import { powerShellCollector } from './powershell';

const DEFAULT_MAX_SIGNATURE_AGE_DAYS = 3;

const SCRIPT = `Get-MpComputerStatus -ErrorAction Stop | Select-Object AMServiceEnabled, AntivirusEnabled, RealTimeProtectionEnabled, BehaviorMonitorEnabled, AntivirusSignatureAge, AntivirusSignatureVersion | ConvertTo-Json -Compress`;

const Status = z.object({
  AMServiceEnabled: z.boolean(),
  AntivirusEnabled: z.boolean(),
  RealTimeProtectionEnabled: z.boolean(),
  BehaviorMonitorEnabled: z.boolean(),
  AntivirusSignatureAge: z.number().int().min(0).max(100_000),
  AntivirusSignatureVersion: z.string().max(64),
});

const maxAge = (params: CheckParams) => {
  const value = Number(params.max_signature_age_days);
  return Number.isInteger(value) && value > 0 && value <= 90 ? value : DEFAULT_MAX_SIGNATURE_AGE_DAYS;
};

export const windowsDefender: PlatformCheck = {
  collect: powerShellCollector('defender', SCRIPT),
  evaluate(collected, params) {
    const days = maxAge(params);
    const expected = `Defender antivirus and real-time protection on, signatures at most ${days} days old`;
    const problem = commandProblem(collected.defender, 'Get-MpComputerStatus', expected);
    if (problem) return problem;
    const parsed = Status.safeParse(parseJson(collected.defender?.stdout ?? ''));
    if (!parsed.success)
      return errorEvaluation('UNPARSEABLE_OUTPUT', 'Get-MpComputerStatus printed unexpected JSON', expected);
    const s = parsed.data;
    const observed = {
      am_service_enabled: String(s.AMServiceEnabled),
      antivirus_enabled: String(s.AntivirusEnabled),
      realtime_protection_enabled: String(s.RealTimeProtectionEnabled),
      behavior_monitor_enabled: String(s.BehaviorMonitorEnabled),
      signature_age_days: String(s.AntivirusSignatureAge),
      signature_version: s.AntivirusSignatureVersion,
    };
    const problems: string[] = [];
    if (!s.AntivirusEnabled) problems.push('antivirus off');
    if (!s.RealTimeProtectionEnabled) problems.push('real-time protection off');
    if (s.AntivirusSignatureAge > days) problems.push(`signatures ${s.AntivirusSignatureAge} days old`);
    return problems.length === 0
      ? evaluation('PASS', expected, `on, signatures ${s.AntivirusSignatureAge} days old`, observed)
      : evaluation('FAIL', expected, problems.join(', '), observed);
  },
};
