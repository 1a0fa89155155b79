import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import {
  base64UrlToBytes,
  type ExportApplianceEntry,
  type ExportTreeHead,
  type RegistrationBody,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import type { AuditService } from '../audit';
import type { LogSigningKey, ProofsService } from '../transparency';
import { type ExportPacketSource, type ExportPlan, writeExport } from './export-content';
import type { ExportHeadRow, ExportsStore } from './exports.store';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 31;
const MAX_DAYS = 400;

/** The stored monthly packets, read through the packets module (never regenerated). */
export interface ExportQuery {
  from?: string | undefined;
  to?: string | undefined;
}

/** An export checked, authorized and audited, ready to be written to a stream. */
export interface PreparedExport {
  filename: string;
  plan: ExportPlan;
}

const invalid = (field: 'from' | 'to', message: string) =>
  new AppError('VALIDATION_FAILED', message, { details: { issues: [{ path: [field], message, code: 'custom' }] } });

/** [from, to): to defaults to now, from to 31 days before to; from < to and at most 400 days. */
function exportPeriod(query: ExportQuery, now: Date): { from: Date; to: Date } {
  const to = query.to === undefined ? now : new Date(query.to);
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_DAYS * DAY_MS) : new Date(query.from);
  if (Number.isNaN(to.getTime())) throw invalid('to', 'to is not a valid timestamp');
  if (Number.isNaN(from.getTime())) throw invalid('from', 'from is not a valid timestamp');
  if (from.getTime() >= to.getTime()) throw invalid('from', 'from must be earlier than to');
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS)
    throw invalid('from', `the period may span at most ${MAX_DAYS} days`);
  return { from, to };
}

const slugOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '') || 'practice';

const toExportHead = (row: ExportHeadRow): ExportTreeHead => ({
  treeSize: Number(row.tree_size),
  rootHash: row.root_hash,
  issuedAt: row.issued_at.toISOString(),
  keyId: row.key_id,
  signature: row.signature,
  tsaTime: row.tsa_token && row.tsa_time ? row.tsa_time.toISOString() : null,
});

/** Does the month `YYYY-MM` overlap [from, to)? */
function monthOverlaps(month: string, from: Date, to: Date): boolean {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const start = Date.UTC(year, mon - 1, 1);
  const end = Date.UTC(year, mon, 1);
  return start < to.getTime() && end > from.getTime();
}

/**
 * The auditor export (issue 8): a practice's evidence of a period with its proofs, tree heads,
 * timestamps, registrations and packets, as a ZIP an auditor verifies offline.
 */
export function createExportsService(deps: {
  db: Kysely<DB>;
  store: ExportsStore;
  proofs: ProofsService;
  signingKey: LogSigningKey;
  authorize: Authorizer;
  audit: AuditService;
  packets: ExportPacketSource;
  tsaTrustedCertsFile?: string | undefined;
  now: () => Date;
}) {
  const { db, store } = deps;

  async function appliancesOf(practiceId: string, from: Date, to: Date, treeSize: number, keyId: string) {
    const rows = await store.appliancesOf(db, practiceId);
    const out: ExportPlan['appliances'] = [];
    for (const row of rows) {
      const range = await store.bundleRange(db, row.id, from, to, treeSize);
      const entry: ExportApplianceEntry = {
        id: row.id,
        siteId: row.site_id,
        hostname: row.hostname,
        firstSeq: range?.firstSeq ?? null,
        lastSeq: range?.lastSeq ?? null,
        firstPrevHash: range?.firstPrevHash ?? null,
        bundleCount: range ? range.lastSeq - range.firstSeq + 1 : 0,
      };
      const registration: RegistrationBody = {
        applianceId: row.id,
        siteId: row.site_id,
        practiceId: row.practice_id,
        hostname: row.hostname,
        publicKey: row.public_key,
        fingerprint: createHash('sha256').update(base64UrlToBytes(row.public_key)).digest('hex'),
        registeredAt: row.registered_at.toISOString(),
        keyId,
      };
      out.push({ entry, registration });
    }
    return out;
  }

  /** The first head of each UTC day of the period, and the latest; ascending, each size once. */
  async function headsOf(latest: ExportHeadRow, from: Date, to: Date) {
    const size = Number(latest.tree_size);
    const rows = (await store.firstHeadsPerDay(db, from, to, size)).filter((r) => Number(r.tree_size) !== size);
    const heads = [...rows, latest];
    return {
      heads: heads.map(toExportHead),
      tokens: heads.flatMap((h) =>
        h.tsa_token && h.tsa_time ? [{ treeSize: Number(h.tree_size), der: new Uint8Array(h.tsa_token) }] : [],
      ),
      consistency: await deps.proofs.consistencyChain(heads.map((h) => Number(h.tree_size))),
    };
  }

  return {
    /**
     * Checks the period and the caller's reach, gathers what the export holds (not the bundles
     * themselves) and records `evidence.exported`. Throws before anything is streamed.
     */
    async prepare(actor: ActorContext, practiceId: string, query: ExportQuery): Promise<PreparedExport> {
      const createdAt = deps.now();
      const { from, to } = exportPeriod(query, createdAt);
      await deps.authorize.practice(actor, practiceId);
      const practice = await store.practice(db, practiceId);
      if (!practice) throw notFound('Practice');
      const latest = await store.latestHead(db);
      if (!latest)
        throw new AppError(
          'CONFLICT',
          'The transparency log has not signed a tree head yet, so there is nothing an auditor could verify. Try again in a minute or two, once evidence has been received and the first tree head issued.',
        );
      const keyId = deps.signingKey.published.keyId;
      const treeSize = Number(latest.tree_size);
      const appliances = await appliancesOf(practiceId, from, to, treeSize, keyId);
      const { heads, tokens, consistency } = await headsOf(latest, from, to);
      const packets = (await deps.packets.list(actor, practiceId)).items
        .filter((p) => monthOverlaps(p.month, from, to))
        .sort((a, b) => a.month.localeCompare(b.month));
      const tsaTrustPem = deps.tsaTrustedCertsFile ? await readFile(deps.tsaTrustedCertsFile, 'utf8') : null;
      const plan: ExportPlan = {
        actor,
        createdAt: createdAt.toISOString(),
        createdBy: actor.actorLabel ?? actor.actorType,
        practice: { id: practice.id, name: practice.name },
        period: { from: from.toISOString(), to: to.toISOString() },
        logKey: deps.signingKey.published,
        treeSize,
        heads,
        consistency,
        tokens,
        tsaTrustPem,
        appliances,
        packets,
      };
      await deps.audit.recordEvent(actor, {
        action: 'evidence.exported',
        targetType: 'practice',
        targetId: practiceId,
        details: {
          from: plan.period.from,
          to: plan.period.to,
          treeSize,
          appliances: appliances.length,
          bundles: appliances.reduce((sum, a) => sum + a.entry.bundleCount, 0),
          treeHeads: heads.length,
          packets: packets.map((p) => p.month),
        },
      });
      return {
        filename: `osiriscare-export-${slugOf(practice.name)}-${plan.createdAt.slice(0, 10)}.zip`,
        plan,
      };
    },

    /** Streams the ZIP of a prepared export to `out`; aborting `signal` stops reading and writing. */
    write(prepared: PreparedExport, out: Writable, signal: AbortSignal): Promise<void> {
      return writeExport(
        { db, store, proofs: deps.proofs, packets: deps.packets, signingKey: deps.signingKey },
        prepared.plan,
        out,
        signal,
      );
    },
  };
}

export type ExportsService = ReturnType<typeof createExportsService>;
