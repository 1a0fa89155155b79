import { type ApplianceException, SetExceptionsPayload } from '@osiris/protocol';
import type { CheckRunResult } from '../evidence/evidence-writer';
import type { Store } from '../store';

const EXCEPTIONS_KEY = 'compliance.exceptions';

export type ExceptionsApplyOutcome = { ok: true; detail: string } | { ok: false; code: string; detail: string };

/**
 * The site's approved compliance exceptions, as central last set them by signed order (kept across
 * restarts). A result covered by an active exception is reported `excepted` — what the evaluator
 * saw is kept in `observed`, with the verdict it would have had — and is never healed. Expiry is
 * judged here on every result, so an exception ends on time even while central is unreachable.
 */
export function createExceptionSet(deps: { store: Pick<Store, 'settings'>; now: () => Date }) {
  const stored = (): SetExceptionsPayload | null => {
    const text = deps.store.settings.get(EXCEPTIONS_KEY);
    if (text === null) return null;
    const parsed = SetExceptionsPayload.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  };
  let current = stored();

  function covering(hostId: string, checkId: string, at: Date): ApplianceException | null {
    const time = at.getTime();
    return (
      current?.exceptions.find(
        (e) =>
          e.checkId === checkId &&
          (e.hostId === null || e.hostId === hostId) &&
          Date.parse(e.startsAt) <= time &&
          time < Date.parse(e.expiresAt),
      ) ?? null
    );
  }

  return {
    /** Replaces the whole set; a set older than the one held is ignored (late or repeated delivery). */
    replace(payload: SetExceptionsPayload): ExceptionsApplyOutcome {
      if (current && Date.parse(payload.asOf) < Date.parse(current.asOf))
        return {
          ok: true,
          detail: `ignored: the set as of ${payload.asOf} is older than the one held (${current.asOf})`,
        };
      deps.store.settings.set(EXCEPTIONS_KEY, JSON.stringify(payload));
      current = payload;
      const ids = new Set(payload.exceptions.map((e) => e.id));
      return { ok: true, detail: `${ids.size} exceptions covering ${payload.exceptions.length} host/check pairs` };
    },
    /** The result as it must be recorded: `excepted` when an active exception covers it. */
    judge(result: CheckRunResult): CheckRunResult {
      if (result.status === 'excepted') return result;
      const exception = covering(result.hostId, result.checkId, deps.now());
      if (!exception) return result;
      return {
        ...result,
        status: 'excepted',
        reason: `Excepted until ${exception.expiresAt} (exception ${exception.id}); the check itself said ${result.status}: ${result.reason}`,
        observed: {
          ...result.observed,
          exception: { id: exception.id, expiresAt: exception.expiresAt, verdict: result.status },
        },
      };
    },
    active(): ApplianceException[] {
      const time = deps.now().getTime();
      return (current?.exceptions ?? []).filter(
        (e) => Date.parse(e.startsAt) <= time && time < Date.parse(e.expiresAt),
      );
    },
  };
}
