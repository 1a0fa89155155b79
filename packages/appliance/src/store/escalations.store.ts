import type { ApplianceEscalationRequest } from '@osiris/protocol';
import type { Database } from 'better-sqlite3';

interface QueuedEscalation {
  request: ApplianceEscalationRequest;
  attempts: number;
  lastError: string | null;
}

/**
 * Escalations waiting for central (the L3 urgent queue). Stored before the first send, so a
 * crash or an outage never loses one; removed once central has it.
 */
export function createEscalationQueueStore(db: Database) {
  const insert = db.prepare(
    'INSERT INTO escalation_queue (id, body, created_at, attempts) VALUES (?, ?, ?, 0) ON CONFLICT (id) DO NOTHING',
  );
  const selectDue = db.prepare(
    'SELECT body, attempts, last_error FROM escalation_queue ORDER BY created_at, id LIMIT ?',
  );
  const remove = db.prepare('DELETE FROM escalation_queue WHERE id = ?');
  const failed = db.prepare('UPDATE escalation_queue SET attempts = attempts + 1, last_error = ? WHERE id = ?');
  const count = db.prepare('SELECT COUNT(*) AS n FROM escalation_queue');
  return {
    enqueue(request: ApplianceEscalationRequest): void {
      insert.run(request.id, JSON.stringify(request), new Date().toISOString());
    },
    /** Oldest first. */
    pending(limit = 20): QueuedEscalation[] {
      return (selectDue.all(limit) as { body: string; attempts: number; last_error: string | null }[]).map((r) => ({
        request: JSON.parse(r.body) as ApplianceEscalationRequest,
        attempts: r.attempts,
        lastError: r.last_error,
      }));
    },
    sent(id: string): void {
      remove.run(id);
    },
    attemptFailed(id: string, error: string): void {
      failed.run(error.slice(0, 1000), id);
    },
    depth(): number {
      return (count.get() as { n: number }).n;
    },
  };
}
