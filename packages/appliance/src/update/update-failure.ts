import type { UpdateErrorCode } from '@osiris/protocol';

/** An install that stopped for a reason central is told about (`code` is in the protocol's list). */
export class UpdateFailure extends Error {
  constructor(
    readonly code: UpdateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpdateFailure';
  }
}

/** True for "no space left on device" and a full quota, however deep in a cause chain. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT') return true;
    e = e.cause as typeof e;
  }
  return false;
}
