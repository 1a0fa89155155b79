import type { CollectorOutput, Evaluation, JsonValue, LinuxCheck } from '../../check';
import { capList, describeList, errorEvaluation, parseKvOutput, shScript } from './kv-output';

const ID = 'linux.disk.encryption';

/**
 * For every block-device filesystem in /proc/mounts (read-only images such as squashfs left out) and
 * every active swap, `lsblk -s` walks from the device down to the disk; a `crypt` layer anywhere on
 * that path means dm-crypt/LUKS. A swap file is judged by the filesystem holding it.
 */
const COLLECTOR = shScript(`
if ! command -v lsblk >/dev/null 2>&1; then echo lsblk=missing; return; fi
echo lsblk=ok
layer() {
  t=$(lsblk -nrso TYPE "$1" 2>/dev/null) || { echo unknown; return; }
  if printf '%s\\n' "$t" | grep -qx crypt; then echo crypt; else echo plain; fi
}
awk '$1 ~ /^\\/dev\\// && $3 !~ /^(squashfs|iso9660|udf|erofs|cramfs)$/ && !seen[$2]++ { print $1 " " $2 " " $3 }' /proc/mounts |
  head -n 50 | while read -r dev mp fstype; do
    echo "mount=$mp|$dev|$fstype|$(layer "$dev")"
  done
if [ -r /proc/swaps ]; then
  tail -n +2 /proc/swaps | head -n 20 | while read -r dev kind rest; do
    if [ "$kind" = file ]; then src=$(df -P "$dev" 2>/dev/null | awk 'NR == 2 { print $1 }'); else src=$dev; fi
    echo "swap=$dev|$src|$(layer "$src")"
  done
fi
`);

/** /boot and the EFI system partition must stay readable by the firmware and boot loader. */
const EXEMPT_MOUNTS = /^\/(boot|efi|boot\/efi)$/;

interface Volume {
  name: string;
  device: string;
  layer: string;
}

function parseVolumes(lines: string[], fields: number): Volume[] | undefined {
  const volumes: Volume[] = [];
  for (const line of lines) {
    const parts = line.split('|');
    if (parts.length !== fields) return undefined;
    const layer = parts[parts.length - 1] as string;
    if (!['crypt', 'plain', 'unknown'].includes(layer)) return undefined;
    volumes.push({ name: parts[0] as string, device: parts[1] as string, layer });
  }
  return volumes;
}

function evaluate(output: CollectorOutput): Evaluation {
  const parsed = parseKvOutput(output);
  if (!parsed.ok) return parsed.error;
  const { kv } = parsed;
  if (kv.first('lsblk') === 'missing')
    return errorEvaluation('lsblk is not installed, so the block-device layers cannot be read.');
  if (kv.first('lsblk') !== 'ok') return errorEvaluation('The collector output lacks the block-device listing.');
  const mounts = parseVolumes(kv.all('mount'), 4);
  const swaps = parseVolumes(kv.all('swap'), 3);
  if (!mounts || !swaps) return errorEvaluation('A device line in the collector output has an unexpected shape.');
  const judged = [
    ...mounts.filter((m) => !EXEMPT_MOUNTS.test(m.name)),
    ...swaps.map((s) => ({ ...s, name: `swap ${s.name}` })),
  ];
  if (judged.length === 0)
    return errorEvaluation('No block-device filesystem is mounted, so there is nothing to judge.');
  const plain = judged.filter((v) => v.layer === 'plain');
  const unknown = judged.filter((v) => v.layer === 'unknown');
  const observed: Record<string, JsonValue> = {
    volumes: capList(judged.map((v) => `${v.name} on ${v.device}: ${v.layer}`)),
    unencrypted: capList(plain.map((v) => v.name)),
  };
  if (plain.length > 0) {
    return {
      status: 'fail',
      reason: `${describeList(plain.map((v) => `${v.name} (${v.device})`))} ${plain.length === 1 ? 'is' : 'are'} not on a LUKS/dm-crypt volume.`,
      observed,
    };
  }
  if (unknown.length > 0) {
    return errorEvaluation(
      `lsblk could not resolve ${describeList(unknown.map((v) => v.device))}, so their encryption is unknown.`,
      observed,
    );
  }
  return {
    status: 'pass',
    reason: `All ${judged.length} mounted data volumes and swap devices sit on dm-crypt.`,
    observed,
  };
}

export const diskEncryptionCheck: LinuxCheck = { id: ID, collector: COLLECTOR, evaluate };
