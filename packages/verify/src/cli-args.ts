/** Command-line arguments of osiris-verify; pure, so it is tested without spawning anything. */

export const USAGE = `Usage: osiris-verify <export.zip> [--tsa-ca file.pem]... [--log-key <base64url|keyid>] [--json] [--quiet]

Verifies an OsirisCare auditor export offline: the signed manifest, the log key, signed tree heads,
consistency proofs, RFC 3161 timestamp tokens, each appliance's registration, signed and chained
evidence bundles and Merkle inclusion proofs, the packets, and the SHA-256 of every file.

  --tsa-ca file.pem   trust these TSA / CA certificates (PEM) instead of tsa/trusted-certs.pem of
                      the export; may be repeated
  --log-key value     the log key you obtained elsewhere: its base64url public key or 16-hex key id;
                      the export must be signed by exactly that key
  --json              print the result as JSON on stdout
  --quiet             print nothing but a failure
  -h, --help          show this help

Exit status: 0 when every check holds, 1 when one does not (the failing item is printed),
2 for a usage error or an unreadable file.`;

export interface CliOptions {
  zipPath: string;
  tsaCaFiles: string[];
  logKey?: string;
  json: boolean;
  quiet: boolean;
}

export type ParsedArgs = { kind: 'run'; options: CliOptions } | { kind: 'help' } | { kind: 'error'; message: string };

const LOG_KEY = /^(?:[0-9a-f]{16}|[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])$/;

/** `--name value` or `--name=value`: the value and how many arguments were used, or an error. */
function takeValue(args: string[], index: number, name: string): { value: string; used: number } | string {
  const arg = args[index] as string;
  if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), used: 1 };
  const next = args[index + 1];
  if (next === undefined || next.startsWith('--')) return `${name} needs a value`;
  return { value: next, used: 2 };
}

export function parseArgs(args: string[]): ParsedArgs {
  const positional: string[] = [];
  const options: Omit<CliOptions, 'zipPath'> = { tsaCaFiles: [], json: false, quiet: false };
  for (let index = 0; index < args.length; ) {
    const arg = args[index] as string;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--json' || arg === '--quiet') {
      options[arg === '--json' ? 'json' : 'quiet'] = true;
      index += 1;
    } else if (
      arg === '--tsa-ca' ||
      arg.startsWith('--tsa-ca=') ||
      arg === '--log-key' ||
      arg.startsWith('--log-key=')
    ) {
      const name = arg.startsWith('--tsa-ca') ? '--tsa-ca' : '--log-key';
      const taken = takeValue(args, index, name);
      if (typeof taken === 'string') return { kind: 'error', message: taken };
      if (taken.value === '') return { kind: 'error', message: `${name} needs a value` };
      if (name === '--tsa-ca') options.tsaCaFiles.push(taken.value);
      else if (!LOG_KEY.test(taken.value)) {
        return { kind: 'error', message: '--log-key must be a 16-hex key id or a base64url Ed25519 public key' };
      } else options.logKey = taken.value;
      index += taken.used;
    } else if (arg.startsWith('-')) {
      return { kind: 'error', message: `unknown option ${arg}` };
    } else {
      positional.push(arg);
      index += 1;
    }
  }
  if (positional.length !== 1) {
    return {
      kind: 'error',
      message: positional.length === 0 ? 'no export file given' : 'give exactly one export file',
    };
  }
  if (options.json && options.quiet) return { kind: 'error', message: '--json and --quiet exclude each other' };
  return { kind: 'run', options: { ...options, zipPath: positional[0] as string } };
}
