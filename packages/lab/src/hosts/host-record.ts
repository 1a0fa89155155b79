import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { HOST_NAME_PATTERN } from './host-layout';

/** What a lab host's state dir says about it; enough for `down` or sweep() to find and remove it. */
export const HostRecord = z
  .object({
    name: z.string().regex(HOST_NAME_PATTERN),
    index: z.number().int().min(2).max(254),
    ip: z.ipv4(),
    holderPid: z.number().int().positive().nullable(),
    holderStartTime: z.string().max(32).nullable(),
    initPid: z.number().int().positive().nullable(),
    /** The process that owns the host; null for hosts started by `hosts up` that outlive the CLI. */
    owner: z.object({ pid: z.number().int().positive(), startTime: z.string().max(32) }).nullable(),
    createdAt: z.string().max(40),
  })
  .strict();
export type HostRecord = z.infer<typeof HostRecord>;

export async function writeHostRecord(path: string, record: HostRecord): Promise<void> {
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/** Returns null when the record is missing or unreadable (a create that crashed before writing it). */
export async function readHostRecord(path: string): Promise<HostRecord | null> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = HostRecord.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
