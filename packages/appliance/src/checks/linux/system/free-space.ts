import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseInteger, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.disk.free-space';
const MAX_USED_PERCENT = 90;

/**
 * df -l leaves out network filesystems. Read-only images (squashfs, iso9660 …) are always full by
 * design and devtmpfs holds no data, so they are skipped; everything else local counts, tmpfs included
 * (a full /run or /tmp stops services too). Mount points are the last field, taken whole.
 */
const SKIP_TYPES = 'devtmpfs|squashfs|iso9660|udf|erofs|cramfs';
const COLLECTOR = shScript(`
if command -v timeout >/dev/null 2>&1; then T="timeout 20"; else T=; fi
{ $T df -P -T -l -k 2>/dev/null; echo "#rc=$?"; } | awk '
  /^#rc=/ { sub(/^#rc=/, ""); print "df_blocks_rc=" $0; next }
  NR == 1 || $2 ~ /^(${SKIP_TYPES})$/ { next }
  { mp = $7; for (i = 8; i <= NF; i++) mp = mp " " $i; if (++n <= 60) print "blk=" $2 "|" $3 "|" $4 "|" $5 "|" mp }'
{ $T df -P -T -l -i 2>/dev/null; echo "#rc=$?"; } | awk '
  /^#rc=/ { sub(/^#rc=/, ""); print "df_inodes_rc=" $0; next }
  NR == 1 || $2 ~ /^(${SKIP_TYPES})$/ { next }
  { mp = $7; for (i = 8; i <= NF; i++) mp = mp " " $i; if (++n <= 60) print "ino=" $3 "|" $4 "|" $5 "|" mp }'
`);

interface Usage {
  mount: string;
  type?: string;
  percent: number | null;
}

/** Used share as df computes it: used / (used + available), reserved blocks not counted as free. */
function percent(used: number, available: number): number | null {
  return used + available === 0 ? null : Math.ceil((used * 100) / (used + available));
}

function parseRows(lines: string[], isBlocks: boolean): Usage[] | undefined {
  const rows: Usage[] = [];
  for (const line of lines) {
    const parts = line.split('|');
    const numbers = parts.slice(isBlocks ? 1 : 0, isBlocks ? 4 : 3).map((p) => (p === '-' ? 0 : parseInteger(p)));
    const mount = parts.slice(isBlocks ? 4 : 3).join('|');
    if (numbers.length !== 3 || numbers.some((n) => n === undefined) || !mount.startsWith('/')) return undefined;
    const [, used, available] = numbers as number[];
    rows.push({ mount, type: isBlocks ? parts[0] : undefined, percent: percent(used as number, available as number) });
  }
  return rows;
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  const blocksRc = parseInteger(kv.first('df_blocks_rc'));
  const inodesRc = parseInteger(kv.first('df_inodes_rc'));
  if (blocksRc === undefined || inodesRc === undefined)
    return errorEvaluation('The collector output lacks the df results.');
  const blocks = parseRows(kv.all('blk'), true);
  const inodes = parseRows(kv.all('ino'), false);
  if (!blocks || !inodes) return errorEvaluation('A df line in the collector output has an unexpected shape.');
  // df exits 1 when one filesystem cannot be read but still prints the others; no line at all is an error.
  if (blocks.length === 0) return errorEvaluation(`df listed no local filesystem (exit code ${blocksRc}).`);
  const full = [
    ...blocks
      .filter((b) => b.percent !== null && b.percent >= MAX_USED_PERCENT)
      .map((b) => `${b.mount} (${b.percent} % of space)`),
    ...inodes
      .filter((i) => i.percent !== null && i.percent >= MAX_USED_PERCENT)
      .map((i) => `${i.mount} (${i.percent} % of inodes)`),
  ];
  const inodeByMount = new Map(inodes.map((i) => [i.mount, i.percent]));
  const observed: Record<string, JsonValue> = {
    filesystems: capList(
      blocks.map((b) => ({
        mount: b.mount,
        type: b.type ?? null,
        usedPercent: b.percent,
        inodesUsedPercent: inodeByMount.get(b.mount) ?? null,
      })),
      30,
    ),
    overLimit: capList(full),
  };
  if (full.length > 0) {
    return {
      status: 'fail',
      reason: `${describeList(full)} ${full.length === 1 ? 'is' : 'are'} at or above ${MAX_USED_PERCENT} % use.`,
      observed,
    };
  }
  const worst = Math.max(0, ...blocks.map((b) => b.percent ?? 0), ...inodes.map((i) => i.percent ?? 0));
  return {
    status: 'pass',
    reason: `All ${blocks.length} local filesystems are below ${MAX_USED_PERCENT} % use of space and inodes (highest ${worst} %).`,
    observed,
  };
}

export const freeSpaceCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
