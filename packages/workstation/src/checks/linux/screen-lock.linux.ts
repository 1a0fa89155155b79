import type { CommandOutput } from '../../command-runner';
import { type Collected, commandProblem, evaluation, type PlatformCheck, unsupported } from '../check';

const EXPECTED =
  'Desktop session locks after at most 15 minutes idle (GNOME lock-enabled true, 0 < idle-delay <= 900 s)';
const MAX_IDLE_SECONDS = 900;
const GRAPHICAL = new Set(['x11', 'wayland', 'mir']);

interface Session {
  type: string;
  user: string;
  uid: string;
}

/** `loginctl show-session ID -p Type -p Name -p User` → fields. */
function parseSession(output: CommandOutput | undefined): Session | undefined {
  if (output?.exitCode !== 0) return undefined;
  const fields = new Map(
    output.stdout.split('\n').map((line) => [line.split('=')[0] ?? '', line.slice(line.indexOf('=') + 1)]),
  );
  const type = fields.get('Type') ?? '';
  const user = fields.get('Name') ?? '';
  const uid = fields.get('User') ?? '';
  return /^[a-z_][a-z0-9_.-]{0,31}$/i.test(user) && /^\d+$/.test(uid) ? { type, user, uid } : undefined;
}

/** The first graphical session among collected `session:<id>` outputs. */
function graphicalSession(collected: Collected): Session | undefined {
  for (const [name, output] of Object.entries(collected)) {
    if (!name.startsWith('session:')) continue;
    const session = parseSession(output);
    if (session && GRAPHICAL.has(session.type)) return session;
  }
  return undefined;
}

export const linuxScreenLock: PlatformCheck = {
  async collect(run) {
    const collected: Collected = {
      sessions: await run('loginctl', ['list-sessions', '--no-legend'], { timeoutMs: 10_000 }),
    };
    const ids = (collected.sessions?.exitCode === 0 ? collected.sessions.stdout : '')
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((id) => /^[A-Za-z0-9]{1,32}$/.test(id))
      .slice(0, 32);
    for (const id of ids) {
      collected[`session:${id}`] = await run(
        'loginctl',
        ['show-session', id, '-p', 'Type', '-p', 'Name', '-p', 'User'],
        {
          timeoutMs: 10_000,
        },
      );
    }
    const session = graphicalSession(collected);
    if (!session) return collected;
    const asUser = (schema: string, key: string) =>
      run('runuser', ['-u', session.user, '--', 'gsettings', 'get', schema, key], {
        timeoutMs: 10_000,
        env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=/run/user/${session.uid}/bus` },
      });
    collected.lock_enabled = await asUser('org.gnome.desktop.screensaver', 'lock-enabled');
    collected.idle_delay = await asUser('org.gnome.desktop.session', 'idle-delay');
    return collected;
  },
  evaluate(collected) {
    const session = graphicalSession(collected);
    if (!session) {
      return unsupported(
        'NO_DESKTOP_SESSION',
        'no graphical desktop session on this host (screen lock not applicable)',
        EXPECTED,
      );
    }
    const problem =
      commandProblem(collected.lock_enabled, 'gsettings lock-enabled', EXPECTED) ??
      commandProblem(collected.idle_delay, 'gsettings idle-delay', EXPECTED);
    if (problem) return problem;
    const lockEnabled = collected.lock_enabled?.stdout.trim() ?? '';
    const idle = /(\d+)\s*$/.exec(collected.idle_delay?.stdout.trim() ?? '')?.[1];
    const idleSeconds = idle === undefined ? Number.NaN : Number(idle);
    const observed = { session_type: session.type, lock_enabled: lockEnabled, idle_delay_seconds: String(idle ?? '') };
    const problems: string[] = [];
    if (lockEnabled !== 'true') problems.push(`lock-enabled ${lockEnabled}`);
    if (!(idleSeconds > 0 && idleSeconds <= MAX_IDLE_SECONDS)) problems.push(`idle-delay ${idle ?? '?'} s`);
    return problems.length === 0
      ? evaluation('PASS', EXPECTED, `locks after ${idleSeconds} s idle`, observed)
      : evaluation('FAIL', EXPECTED, problems.join(', '), observed);
  },
};
