import { FRAMEWORKS, type FrameworkId, type FrameworkScore, type ScoreCounts } from '@osiris/protocol';
import type { Executor } from '../../platform/context';
import { notFound } from '../../platform/errors';
import { keyFingerprint, median, monthLabel, monthWindow } from './packet-month';
import type { PacketSourcesStore, TreeHeadRow } from './packet-sources.store';

export interface PacketBranding {
  brandName: string | null;
  color: string | null;
  logo: { type: string; bytes: Buffer } | null;
}

interface TierSummary {
  tier: string;
  attempts: number;
  healed: number;
  failed: number;
  other: number;
  medianMs: number | null;
}

/** Everything a packet shows, gathered once; the PDF renderer only lays it out. */
export interface PacketContent {
  practiceName: string;
  partnerName: string;
  branding: PacketBranding;
  month: string;
  monthLabel: string;
  /** The moment scored: the month's last millisecond. */
  scoredAt: Date;
  generatedAt: Date;
  frameworks: {
    id: FrameworkId;
    name: string;
    score: number | null;
    counts: ScoreCounts;
    controls: FrameworkScore['controls'];
    history: { day: string; score: number | null }[];
  }[];
  healing: {
    attempts: {
      finishedAt: Date;
      hostname: string;
      checkId: string;
      tier: string;
      runbook: string | null;
      outcome: string;
      durationMs: number | null;
    }[];
    byTier: TierSummary[];
    medianMs: number | null;
  };
  exceptions: {
    scope: string;
    siteName: string;
    reason: string;
    state: string;
    startsAt: Date;
    endsAt: Date;
    requester: string | null;
    approver: string | null;
  }[];
  appliances: {
    id: string;
    hostname: string;
    siteName: string;
    status: string;
    registeredAt: Date;
    fingerprint: string;
    evidence: {
      count: number;
      first: { seq: string; hash: string } | null;
      last: { seq: string; hash: string } | null;
      head: { seq: string; hash: string } | null;
    };
  }[];
  treeHead: 'absent' | 'none' | TreeHeadRow;
}

/** What a healing bundle's status says about the attempt. */
const OUTCOME: Record<string, string> = { pass: 'healed', fail: 'failed', error: 'not run', excepted: 'excepted' };

export interface PacketContentDeps {
  db: Executor;
  sources: PacketSourcesStore;
  computePractice: (practiceId: string, at: Date) => Promise<FrameworkScore[]>;
  /** The practice's daily snapshots (practice scope) from `since` (YYYY-MM-DD) on. */
  history: (practiceId: string, since: string) => Promise<{ framework: string; day: string; score: number | null }[]>;
  branding: (partnerId: string) => Promise<PacketBranding>;
}

/** Median duration of the attempts that healed (time to heal). */
const medianHealMs = (attempts: PacketContent['healing']['attempts']) =>
  median(attempts.flatMap((a) => (a.outcome === 'healed' && a.durationMs !== null ? [a.durationMs] : [])));

function summarizeTiers(attempts: PacketContent['healing']['attempts']): TierSummary[] {
  const byTier = new Map<string, PacketContent['healing']['attempts']>();
  for (const a of attempts) byTier.set(a.tier, [...(byTier.get(a.tier) ?? []), a]);
  return [...byTier.entries()]
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([tier, list]) => ({
      tier,
      attempts: list.length,
      healed: list.filter((a) => a.outcome === 'healed').length,
      failed: list.filter((a) => a.outcome === 'failed').length,
      other: list.filter((a) => a.outcome !== 'healed' && a.outcome !== 'failed').length,
      medianMs: medianHealMs(list),
    }));
}

/** Gathers one practice's packet for one `YYYY-MM` month, as of the month's end. */
export async function gatherPacketContent(
  deps: PacketContentDeps,
  practiceId: string,
  month: string,
  generatedAt: Date,
): Promise<PacketContent> {
  const { db, sources } = deps;
  const practice = await sources.practice(db, practiceId);
  if (!practice) throw notFound('Practice');
  const window = monthWindow(month);
  const scoredAt = new Date(window.end.getTime() - 1);
  const lastDay = scoredAt.toISOString().slice(0, 10);
  const [scores, history, healingRows, exceptionRows, applianceRows, ranges, heads, treeHead, branding] =
    await Promise.all([
      deps.computePractice(practiceId, scoredAt),
      deps.history(practiceId, window.start.toISOString().slice(0, 10)),
      sources.healing(db, practiceId, window),
      sources.exceptions(db, practiceId, window),
      sources.appliances(db, practiceId, window),
      sources.bundleRanges(db, practiceId, window),
      sources.headsAt(db, practiceId, window.end),
      sources.treeHead(db, practiceId, window),
      deps.branding(practice.partner_id),
    ]);

  const attempts = healingRows.map((row) => ({
    finishedAt: row.finished_at,
    hostname: row.hostname,
    checkId: row.check_id,
    tier: row.tier ?? 'unknown',
    runbook: row.runbook,
    outcome: OUTCOME[row.status] ?? row.status,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
  }));

  const appliances = [];
  for (const row of applianceRows) {
    const range = ranges.find((r) => r.appliance_id === row.id);
    const head = heads.find((h) => h.appliance_id === row.id);
    const at = async (seq: string) => ({ seq, hash: (await sources.bundleHash(db, row.id, seq))?.hash ?? '' });
    appliances.push({
      id: row.id,
      hostname: row.hostname,
      siteName: row.site_name,
      status: row.status,
      registeredAt: row.registered_at,
      fingerprint: keyFingerprint(row.public_key),
      evidence: {
        count: Number(range?.count ?? 0),
        first: range ? await at(String(range.first_seq)) : null,
        last: range ? await at(String(range.last_seq)) : null,
        head: head ? { seq: head.seq, hash: head.hash } : null,
      },
    });
  }

  return {
    practiceName: practice.name,
    partnerName: practice.partner_name,
    branding,
    month,
    monthLabel: monthLabel(month),
    scoredAt,
    generatedAt,
    frameworks: scores.map((s) => ({
      id: s.framework,
      name: FRAMEWORKS.find((f) => f.id === s.framework)?.name ?? s.framework,
      score: s.score,
      counts: s.counts,
      controls: s.controls,
      history: history
        .filter((h) => h.framework === s.framework && h.day <= lastDay)
        .map((h) => ({ day: h.day, score: h.score })),
    })),
    healing: {
      attempts,
      byTier: summarizeTiers(attempts),
      medianMs: medianHealMs(attempts),
    },
    exceptions: exceptionRows.map((row) => ({
      scope: [
        row.check_id ?? `${row.framework} ${row.control_id}`,
        row.host_id ? `host ${row.host_id.slice(0, 8)}` : 'whole site',
      ].join(', '),
      siteName: row.site_name,
      reason: row.reason,
      state: row.state,
      startsAt: row.starts_at,
      endsAt: row.ended_at && row.ended_at < row.expires_at ? row.ended_at : row.expires_at,
      requester: row.requester_name,
      approver: row.approver_name,
    })),
    appliances,
    treeHead,
  };
}
