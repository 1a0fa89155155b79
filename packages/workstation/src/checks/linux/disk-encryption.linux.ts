import { z } from 'zod';
import { commandProblem, errorEvaluation, evaluation, type PlatformCheck, parseJson, single } from '../check';

const EXPECTED = 'The root filesystem sits on a dm-crypt (LUKS) device';

interface BlockDevice {
  name: string;
  type: string;
  fstype?: string | null;
  mountpoint?: string | null;
  mountpoints?: (string | null)[];
  children?: BlockDevice[];
}

const BlockDeviceSchema: z.ZodType<BlockDevice> = z.lazy(() =>
  z.object({
    name: z.string().max(256),
    type: z.string().max(32),
    fstype: z.string().max(64).nullish(),
    mountpoint: z.string().max(4096).nullish(),
    mountpoints: z.array(z.string().max(4096).nullable()).max(256).optional(),
    children: z.array(BlockDeviceSchema).max(1024).optional(),
  }),
);
const LsblkOutput = z.object({ blockdevices: z.array(BlockDeviceSchema).max(1024) });

const mounts = (device: BlockDevice): (string | null | undefined)[] => device.mountpoints ?? [device.mountpoint];

/** The chain of devices from a top-level disk down to the one mounted at `/`, or undefined. */
function rootChain(devices: readonly BlockDevice[], parents: BlockDevice[] = []): BlockDevice[] | undefined {
  for (const device of devices) {
    const chain = [...parents, device];
    if (mounts(device).includes('/')) return chain;
    const found = rootChain(device.children ?? [], chain);
    if (found) return found;
  }
  return undefined;
}

export const linuxDiskEncryption: PlatformCheck = {
  collect: single('lsblk', 'lsblk', ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT']),
  evaluate(collected) {
    const problem = commandProblem(collected.lsblk, 'lsblk', EXPECTED);
    if (problem) return problem;
    const parsed = LsblkOutput.safeParse(parseJson(collected.lsblk?.stdout ?? ''));
    if (!parsed.success) return errorEvaluation('UNPARSEABLE_OUTPUT', 'lsblk printed no valid JSON', EXPECTED);
    const chain = rootChain(parsed.data.blockdevices);
    if (!chain) return errorEvaluation('ROOT_NOT_FOUND', 'no block device is mounted at /', EXPECTED);
    const path = chain.map((device) => `${device.name}(${device.type})`).join(' > ');
    const crypt = chain.find((device) => device.type === 'crypt');
    const observed = { root_chain: path, root_device: chain.at(-1)?.name ?? '' };
    return crypt
      ? evaluation('PASS', EXPECTED, `/ is on encrypted device ${crypt.name}: ${path}`, {
          ...observed,
          crypt_device: crypt.name,
        })
      : evaluation('FAIL', EXPECTED, `/ is not on an encrypted device: ${path}`, observed);
  },
};
