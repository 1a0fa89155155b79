import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput } from '../powershell';
import { DEFENDER_COLLECTOR, DefenderStatus } from './defender-status';

const ID = 'windows.defender.realtime-protection';

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, DefenderStatus);
  if (!parsed.ok) return parsed.error;
  const data = parsed.data;
  if (!data.isAvailable) {
    return {
      status: 'fail',
      reason: 'Microsoft Defender is not present (Get-MpComputerStatus is missing), so nothing scans in real time.',
      observed: { isAvailable: false },
    };
  }
  const { antivirusSignatureLastUpdated: _updated, antivirusSignatureVersion: _version, ...observed } = data;
  const off: string[] = [];
  if (!data.amServiceEnabled) off.push('the antimalware service');
  if (!data.antivirusEnabled) off.push('the antivirus engine');
  if (!data.realTimeProtectionEnabled) off.push('real-time protection');
  if (!data.behaviorMonitorEnabled) off.push('behavior monitoring');
  if (off.length > 0) return { status: 'fail', reason: `Defender has ${off.join(', ')} turned off.`, observed };
  if (data.amRunningMode !== '' && data.amRunningMode !== 'Normal') {
    return {
      status: 'fail',
      reason: `Defender runs in ${data.amRunningMode}, so it does not block threats itself.`,
      observed,
    };
  }
  return {
    status: 'pass',
    reason: 'Defender antivirus, real-time protection and behavior monitoring are on.',
    observed,
  };
}

export const defenderRealtimeProtection: WindowsCheck = { id: ID, collector: DEFENDER_COLLECTOR, evaluate };
