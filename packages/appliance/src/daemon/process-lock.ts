import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'appliance.lock';

/** Another daemon is running on the same data directory. */
export class AlreadyRunningError extends Error {
  constructor(pid: number, dataDir: string) {
    super(`Another appliance process (pid ${pid}) is using ${dataDir}; stop it first.`);
    this.name = 'AlreadyRunningError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One daemon per data directory: two would both extend the evidence chain. The lock holds the
 * pid; a lock left by a process that died (kill -9) is taken over.
 */
export function acquireProcessLock(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
        throw new AlreadyRunningError(pid, dataDir);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}
