/**
 * A check that passes when a forbidden network service is nowhere to be found: no package, no
 * running process, no enabled or active unit or socket, no SysV start link, no enabled inetd/xinetd
 * entry and nothing listening on its port. Any one of these is a finding: an installed but stopped
 * server is one `systemctl start` away, and a listener on the port is the exposure itself, whatever
 * its name.
 */
import type { Evaluation, LinuxCheck } from '../../check';
import { capList, END_MARKER, parseCollectorOutput, SH_PRELUDE } from '../ssh/collector-output';
import { enabledInetd, type ProbeSpec, probeScript, readProbe, unitFindings } from './service-probe';

export interface ForbiddenServiceSpec extends ProbeSpec {
  id: string;
  /** Human name, e.g. "telnet server". */
  name: string;
}

function judge(spec: ForbiddenServiceSpec, output: unknown): Evaluation {
  const subject = `whether a ${spec.name} is present`;
  const parsed = parseCollectorOutput(output, subject);
  if (!parsed.ok) return parsed.evaluation;
  const facts = readProbe(parsed.value);
  if (typeof facts === 'string') return { status: 'error', reason: `Cannot judge ${subject}: ${facts}.`, observed: {} };
  const inetd = enabledInetd(facts);
  const units = unitFindings(facts);
  const findings = [
    ...facts.packages.map((p) => `package ${p} installed`),
    ...facts.processes.map((p) => `process ${p} running`),
    ...units,
    ...facts.sysv.map((s) => `SysV start link ${s}`),
    ...inetd.map((l) => `${l.split('|')[0]} entry ${l.split('|').slice(1).join(' ')}`),
    ...facts.listening.map((l) => `listening on ${l}`),
  ];
  const observed = {
    methods: [
      `packages: ${facts.pkgTool}`,
      'processes: /proc',
      `units: ${facts.isSystemdRunning ? 'systemctl' : 'unit files'}`,
      'inetd/xinetd config',
      'ports: /proc/net',
    ],
    packages: capList(facts.packages, 20),
    processes: capList(facts.processes, 20),
    units: capList(
      facts.units.filter((u) => u.file !== null).map((u) => `${u.unit} enabled=${u.enabled} active=${u.active}`),
      20,
    ),
    inetd: capList(inetd, 20),
    listening: capList(facts.listening, 20),
  };
  if (findings.length === 0) {
    return {
      status: 'pass',
      reason: `No ${spec.name} is installed, enabled, running or listening${facts.pkgTool === 'none' ? ' (no package database to check)' : ''}.`,
      observed,
    };
  }
  return {
    status: 'fail',
    reason: `A ${spec.name} is present: ${findings.slice(0, 4).join('; ')}${findings.length > 4 ? ` and ${findings.length - 4} more` : ''}.`,
    observed,
  };
}

export function defineForbiddenService(spec: ForbiddenServiceSpec): LinuxCheck {
  return {
    id: spec.id,
    collector: `${SH_PRELUDE}${probeScript(spec)}echo "${END_MARKER}"\n`,
    evaluate: (output) => judge(spec, output),
  };
}
