/**
 * Reading PAM stacks, shared by the password-quality and lockout checks. Debian/Ubuntu keep the shared
 * stacks in common-*, RHEL-family in system-auth and password-auth; whichever exist are read.
 */
import type { KvOutput } from '../system/kv-output';

const STACK_FILES =
  '/etc/pam.d/common-password /etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/system-auth /etc/pam.d/password-auth';

/**
 * Prints `pam_stack=<file>` for every stack file present, `pam=<file>|<type>|<control>|<module>|<args>`
 * for uncommented lines whose module matches `modulePattern` (an awk regex), and
 * `module_installed=<name>` for each `modules` library found on disk.
 */
export function pamCollectorSh(modulePattern: string, modules: readonly string[]): string {
  const moduleChecks = modules
    .map(
      (
        name,
      ) => `for d in /lib/*/security /usr/lib/*/security /lib64/security /usr/lib64/security /lib/security /usr/lib/security; do
  if [ -e "$d/${name}" ]; then echo "module_installed=${name}"; break; fi
done`,
    )
    .join('\n');
  return `
for f in ${STACK_FILES}; do
  [ -r "$f" ] || continue
  echo "pam_stack=$f"
  awk -v file="$f" '
    /^[ \\t]*#/ || NF < 3 { next }
    {
      type = $1; sub(/^-/, "", type); i = 2; control = $2
      if (control ~ /^\\[/) { while (control !~ /\\]$/ && i < NF) { i++; control = control "_" $i } }
      module = $(i + 1); sub(/^.*\\//, "", module)
      if (module !~ /${modulePattern}/) next
      args = ""; for (j = i + 2; j <= NF; j++) args = args (args == "" ? "" : " ") $j
      if (++n <= 40) print "pam=" file "|" type "|" control "|" module "|" args
    }' "$f"
done
${moduleChecks}
`;
}

export interface PamLine {
  file: string;
  type: string;
  control: string;
  module: string;
  /** key=value arguments; bare flags map to ''. */
  args: Map<string, string>;
  rawArgs: string;
}

export function readPamLines(kv: KvOutput): PamLine[] | undefined {
  const lines: PamLine[] = [];
  for (const value of kv.all('pam')) {
    const parts = value.split('|');
    if (parts.length !== 5) return undefined;
    const [file, type, control, module, rawArgs] = parts as [string, string, string, string, string];
    const args = new Map<string, string>();
    for (const word of rawArgs.split(/\s+/).filter(Boolean)) {
      const eq = word.indexOf('=');
      if (eq === -1) args.set(word, '');
      else args.set(word.slice(0, eq), word.slice(eq + 1));
    }
    lines.push({ file, type, control, module, args, rawArgs });
  }
  return lines;
}

/** Prints `conf=<file>|<key>|<value>` for `key = value` settings of the given config files, in order. */
export function confCollectorSh(files: string, keys: readonly string[]): string {
  const keyPattern = keys.join('|');
  return `
for f in ${files}; do
  [ -r "$f" ] || continue
  awk -v file="$f" -F= '
    /^[ \\t]*#/ { next }
    { k = $1; gsub(/[ \\t]/, "", k); v = $2; gsub(/[ \\t]/, "", v)
      if (k ~ /^(${keyPattern})$/) print "conf=" file "|" k "|" v }' "$f"
done
`;
}

/** The last value of a key across the conf lines (later files and lines override earlier ones). */
export function lastConfValue(kv: KvOutput, key: string): { file: string; value: string } | undefined {
  let found: { file: string; value: string } | undefined;
  for (const line of kv.all('conf')) {
    const [file, k, value] = line.split('|');
    if (k === key && file !== undefined && value !== undefined) found = { file, value };
  }
  return found;
}
