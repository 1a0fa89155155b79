import { z } from 'zod';
import type { CollectorOutput, Evaluation, WindowsCheck } from '../../check';
import { parseJsonOutput, psScript } from '../powershell';

const ID = 'windows.update.service-enabled';

const COLLECTOR = psScript(`
$service = Get-Service -Name wuauserv -ErrorAction SilentlyContinue
if ($null -eq $service) { return [ordered]@{ isPresent = $false; status = ''; startType = '' } }
[ordered]@{ isPresent = $true; status = [string]$service.Status; startType = [string]$service.StartType }
`);

const Output = z.strictObject({ isPresent: z.boolean(), status: z.string().max(30), startType: z.string().max(30) });

/** wuauserv is a trigger-start service: Manual and Stopped between scans is normal; only Disabled stops updates. */
function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseJsonOutput(output, Output);
  if (!parsed.ok) return parsed.error;
  const { isPresent, status, startType } = parsed.data;
  const observed = { ...parsed.data };
  if (!isPresent)
    return { status: 'fail', reason: 'The Windows Update service (wuauserv) is missing from this host.', observed };
  if (startType === 'Automatic' || startType === 'Manual') {
    return {
      status: 'pass',
      reason: `The Windows Update service starts ${startType.toLowerCase()}ly and is ${status}.`,
      observed,
    };
  }
  return {
    status: 'fail',
    reason: `The Windows Update service start type is ${startType || 'unknown'}, so no updates install.`,
    observed,
  };
}

export const updateService: WindowsCheck = { id: ID, collector: COLLECTOR, evaluate };
