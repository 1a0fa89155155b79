import { createHash } from 'node:crypto';
import {
  ATTESTATION_DOCUMENT_MAX_BYTES,
  type Attestation,
  type AttestationCreateRequest,
  type ComplianceScore,
  computeScores,
  controlOf,
  type FrameworkId,
  type FrameworkScore,
  type FrameworkSelectionRequest,
  type IndustryPresetId,
  isManualControl,
  type PartnerComplianceDefaults,
  PRESETS,
  SCORE_FORMULA,
  type ScoreCounts,
  type SiteFrameworks,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, invalidField, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import type { Authorizer } from '../../platform/authorize';
import type { AuditService } from '../audit';
import type { ComplianceStore } from './compliance.store';

const DAY_MS = 86_400_000;
/** Sites that never chose, of partners that never chose, are assessed as healthcare practices. */
const PLATFORM_PRESET: IndustryPresetId = 'healthcare';
const presetFrameworks = (id: IndustryPresetId): FrameworkId[] => [
  ...(PRESETS.find((p) => p.id === id)?.frameworks ?? []),
];

/** What a document's first bytes must be for its declared type. */
function matchesType(bytes: Buffer, type: string): boolean {
  switch (type) {
    case 'application/pdf':
      return bytes.subarray(0, 5).toString('latin1') === '%PDF-';
    case 'image/png':
      return bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/jpeg':
      return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
    default: {
      const text = bytes.toString('utf8');
      return !text.includes('\u0000') && Buffer.from(text, 'utf8').equals(bytes);
    }
  }
}

type Defaults = { preset: IndustryPresetId | null; frameworks: FrameworkId[] } | null;
const asDefaults = (value: unknown): Defaults => (value && typeof value === 'object' ? (value as Defaults) : null);

/** Framework selection, attestations and scores (one formula, `SCORE_FORMULA` in protocol). */
export function createComplianceService(deps: {
  db: Kysely<DB>;
  store: ComplianceStore;
  audit: AuditService;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, audit, authorize, now } = deps;

  async function selectionOf(siteId: string): Promise<SiteFrameworks & { practiceId: string; partnerId: string }> {
    const row = await store.siteSelection(db, siteId);
    if (!row) throw notFound('Site');
    const base = { siteId, practiceId: row.practiceId, partnerId: row.partnerId };
    if (row.siteFrameworks)
      return {
        ...base,
        preset: (row.sitePreset as IndustryPresetId | null) ?? null,
        frameworks: row.siteFrameworks as FrameworkId[],
        source: 'site',
      };
    const partner = asDefaults(row.partnerDefaults);
    if (partner) return { ...base, preset: partner.preset, frameworks: partner.frameworks, source: 'partner' };
    return { ...base, preset: PLATFORM_PRESET, frameworks: presetFrameworks(PLATFORM_PRESET), source: 'platform' };
  }

  function resolveSelection(input: FrameworkSelectionRequest): {
    preset: IndustryPresetId | null;
    frameworks: FrameworkId[];
  } {
    return {
      preset: input.preset ?? null,
      frameworks: input.frameworks ?? presetFrameworks(input.preset as IndustryPresetId),
    };
  }

  /** Scores of sites (one practice) for the frameworks given, as of `at`. */
  async function scoreSites(
    siteIds: string[],
    practiceId: string,
    frameworks: FrameworkId[],
    at: Date,
    hostId?: string,
  ): Promise<FrameworkScore[]> {
    const [results, exceptions, attestations] = await Promise.all([
      store.resultsAsOf(db, siteIds, at),
      store.exceptionsAsOf(db, siteIds, at),
      hostId ? Promise.resolve([]) : store.attestationsAsOf(db, practiceId, at),
    ]);
    return computeScores({
      at: at.toISOString(),
      frameworks,
      includeManual: !hostId,
      results: results
        .filter((r) => !hostId || r.hostId === hostId)
        .map((r) => ({
          hostId: r.hostId,
          checkId: r.checkId,
          status: r.status,
          finishedAt: r.finishedAt.toISOString(),
        })),
      exceptions: exceptions.map((e) => ({
        id: e.id,
        hostId: e.host_id,
        checkIds: e.check_ids as string[],
        startsAt: e.starts_at.toISOString(),
        expiresAt: e.expires_at.toISOString(),
      })),
      attestations: attestations.map((a) => ({
        framework: a.framework as FrameworkId,
        controlId: a.control_id,
        attestedAt: a.attested_at.toISOString(),
        expiresAt: a.expires_at.toISOString(),
      })),
    });
  }

  async function computeSite(siteId: string, at: Date, framework?: FrameworkId, hostId?: string) {
    const selection = await selectionOf(siteId);
    const frameworks = framework ? [framework] : selection.frameworks;
    return scoreSites([siteId], selection.practiceId, frameworks, at, hostId);
  }

  /**
   * Per framework: over all of the practice's sites, with the practice's attestations. Selections
   * only decide which frameworks are shown (the union of the sites' choices), never the inputs, so a
   * stored practice score stays reproducible after a site's selection changes.
   */
  async function computePractice(practiceId: string, at: Date, framework?: FrameworkId): Promise<FrameworkScore[]> {
    const siteIds = (await store.sitesOfPractice(db, practiceId)).map((s) => s.id);
    const frameworks = framework
      ? [framework]
      : [...new Set((await Promise.all(siteIds.map((id) => selectionOf(id)))).flatMap((s) => s.frameworks))];
    return frameworks.length === 0 ? [] : scoreSites(siteIds, practiceId, frameworks, at);
  }

  /**
   * Per framework: the mean of the scores of its practices that have one (one decimal); counts
   * summed; no control detail. Frameworks: those any of its practices shows (or the one asked for).
   */
  async function computePartner(partnerId: string, at: Date, framework?: FrameworkId): Promise<FrameworkScore[]> {
    const practices = await store.practicesOfPartner(db, partnerId);
    const perPractice = await Promise.all(practices.map((p) => computePractice(p.id, at, framework)));
    const byFramework = new Map<FrameworkId, FrameworkScore[]>();
    for (const score of perPractice.flat())
      byFramework.set(score.framework, [...(byFramework.get(score.framework) ?? []), score]);
    return [...byFramework.entries()].map(([f, scores]) => {
      const counts = scores.reduce<ScoreCounts>(
        (sum, s) => ({
          passing: sum.passing + s.counts.passing,
          failing: sum.failing + s.counts.failing,
          unknown: sum.unknown + s.counts.unknown,
          excepted: sum.excepted + s.counts.excepted,
          notAssessed: sum.notAssessed + s.counts.notAssessed,
          unattested: sum.unattested + s.counts.unattested,
        }),
        { passing: 0, failing: 0, unknown: 0, excepted: 0, notAssessed: 0, unattested: 0 },
      );
      const scored = scores.flatMap((s) => (s.score === null ? [] : [s.score]));
      const mean =
        scored.length === 0 ? null : Math.round((scored.reduce((a, b) => a + b, 0) / scored.length) * 10) / 10;
      return { framework: f, score: mean, counts, controls: [] };
    });
  }

  const wrap = (
    kind: ComplianceScore['scope']['kind'],
    id: string,
    at: Date,
    frameworks: FrameworkScore[],
  ): ComplianceScore => ({
    scope: { kind, id },
    at: at.toISOString(),
    formula: SCORE_FORMULA,
    frameworks,
  });

  function toAttestation(row: {
    id: string;
    practice_id: string;
    framework: string;
    control_id: string;
    statement: string;
    document_name: string;
    document_type: string;
    document_sha256: string;
    attested_by: string | null;
    attested_at: Date;
    expires_at: Date;
    revoked_at: Date | null;
    revoked_by: string | null;
  }): Attestation {
    const at = now();
    return {
      id: row.id,
      practiceId: row.practice_id,
      framework: row.framework as FrameworkId,
      controlId: row.control_id,
      statement: row.statement,
      document: {
        name: row.document_name,
        type: row.document_type as Attestation['document']['type'],
        sha256: row.document_sha256,
        url: `/v1/attestations/${row.id}/document`,
      },
      attestedBy: row.attested_by,
      attestedAt: row.attested_at.toISOString(),
      expiresAt: row.expires_at.toISOString(),
      revokedAt: row.revoked_at?.toISOString() ?? null,
      revokedBy: row.revoked_by,
      isValid: row.revoked_at === null && row.attested_at <= at && at < row.expires_at,
    };
  }

  return {
    computeSite,
    computePractice,
    computePartner,

    async siteScore(actor: ActorContext, siteId: string, framework?: FrameworkId, hostId?: string) {
      await authorize.site(actor, siteId);
      const at = now();
      return wrap(hostId ? 'host' : 'site', hostId ?? siteId, at, await computeSite(siteId, at, framework, hostId));
    },
    async practiceScore(actor: ActorContext, practiceId: string, framework?: FrameworkId) {
      await authorize.practice(actor, practiceId);
      const at = now();
      return wrap('practice', practiceId, at, await computePractice(practiceId, at, framework));
    },
    async partnerScore(actor: ActorContext, partnerId: string, framework?: FrameworkId) {
      await authorize.partner(actor, partnerId);
      const at = now();
      return wrap('partner', partnerId, at, await computePartner(partnerId, at, framework));
    },

    async siteFrameworks(actor: ActorContext, siteId: string): Promise<SiteFrameworks> {
      await authorize.site(actor, siteId);
      const { siteId: id, preset, frameworks, source } = await selectionOf(siteId);
      return { siteId: id, preset, frameworks, source };
    },

    /** Sets the site's frameworks (a preset or a list); `null` returns it to the partner's default. */
    async setSiteFrameworks(
      actor: ActorContext,
      siteId: string,
      input: FrameworkSelectionRequest | null,
    ): Promise<SiteFrameworks> {
      await authorize.site(actor, siteId);
      await db.transaction().execute(async (trx) => {
        const value = input === null ? null : { ...resolveSelection(input), by: actor.actorId, at: now() };
        await store.setSiteSelection(trx, siteId, value);
        await audit.record(trx, actor, {
          action: 'site.frameworks',
          targetType: 'site',
          targetId: siteId,
          details: value ? { preset: value.preset, frameworks: value.frameworks } : { reset: true },
        });
      });
      const { preset, frameworks, source } = await selectionOf(siteId);
      return { siteId, preset, frameworks, source };
    },

    async partnerDefaults(actor: ActorContext, partnerId: string): Promise<PartnerComplianceDefaults> {
      await authorize.partner(actor, partnerId);
      const row = await store.partnerDefaults(db, partnerId);
      if (!row) throw notFound('Partner');
      const defaults = asDefaults(row.compliance_defaults);
      return defaults
        ? { partnerId, preset: defaults.preset, frameworks: defaults.frameworks, isSet: true }
        : { partnerId, preset: PLATFORM_PRESET, frameworks: presetFrameworks(PLATFORM_PRESET), isSet: false };
    },

    async setPartnerDefaults(actor: ActorContext, partnerId: string, input: FrameworkSelectionRequest) {
      await authorize.partner(actor, partnerId);
      const value = resolveSelection(input);
      await db.transaction().execute(async (trx) => {
        await store.setPartnerDefaults(trx, partnerId, value);
        await audit.record(trx, actor, {
          action: 'partner.compliance_defaults',
          targetType: 'partner',
          targetId: partnerId,
          details: value,
        });
      });
      return { partnerId, ...value, isSet: true };
    },

    async attest(actor: ActorContext, practiceId: string, input: AttestationCreateRequest): Promise<Attestation> {
      const owner = await authorize.practice(actor, practiceId);
      if (!controlOf(input.framework, input.controlId))
        throw invalidField('controlId', `${input.framework} has no control ${input.controlId}`);
      if (!isManualControl(input.framework, input.controlId))
        throw invalidField('controlId', 'checks evidence this control; only manual controls are attested');
      const at = now();
      const expiresAt = new Date(input.expiresAt);
      if (expiresAt <= at) throw invalidField('expiresAt', 'must be in the future');
      if (expiresAt.getTime() - at.getTime() > 365 * DAY_MS)
        throw invalidField('expiresAt', 'an attestation lasts at most one year');
      const bytes = Buffer.from(input.document.base64, 'base64');
      if (bytes.length === 0) throw invalidField(['document', 'base64'], 'the document is empty');
      if (bytes.length > ATTESTATION_DOCUMENT_MAX_BYTES)
        throw new AppError('PAYLOAD_TOO_LARGE', `The document is larger than ${ATTESTATION_DOCUMENT_MAX_BYTES} bytes`);
      if (!matchesType(bytes, input.document.type))
        throw invalidField(['document', 'type'], `the file is not ${input.document.type}`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return db.transaction().execute(async (trx) => {
        const row = await store.insertAttestation(trx, {
          id: newId(),
          partner_id: owner.partnerId,
          practice_id: practiceId,
          framework: input.framework,
          control_id: input.controlId,
          statement: input.statement,
          document: bytes,
          document_name: input.document.name,
          document_type: input.document.type,
          document_sha256: sha256,
          attested_by: actor.actorId,
          attested_at: at,
          expires_at: expiresAt,
        });
        await audit.record(trx, actor, {
          action: 'attestation.create',
          targetType: 'attestation',
          targetId: row.id,
          details: {
            practiceId,
            framework: input.framework,
            controlId: input.controlId,
            sha256,
            expiresAt: input.expiresAt,
          },
        });
        return toAttestation(row);
      });
    },

    async attestations(actor: ActorContext, practiceId: string): Promise<{ items: Attestation[] }> {
      await authorize.practice(actor, practiceId);
      return { items: (await store.attestationsOf(db, practiceId)).map(toAttestation) };
    },

    async attestationDocument(actor: ActorContext, id: string) {
      const row = await store.attestation(db, id);
      if (!row) throw notFound('Attestation');
      await authorize.practice(actor, row.practice_id).catch(() => {
        throw notFound('Attestation');
      });
      return { name: row.document_name, type: row.document_type, bytes: row.document };
    },

    async revokeAttestation(actor: ActorContext, id: string): Promise<Attestation> {
      const existing = await store.attestation(db, id);
      if (!existing) throw notFound('Attestation');
      await authorize.practice(actor, existing.practice_id).catch(() => {
        throw notFound('Attestation');
      });
      return db.transaction().execute(async (trx) => {
        const row = await store.revokeAttestation(trx, id, actor.actorId, now());
        if (!row) throw new AppError('CONFLICT', 'The attestation is already revoked');
        await audit.record(trx, actor, {
          action: 'attestation.revoke',
          targetType: 'attestation',
          targetId: id,
          details: {},
        });
        return toAttestation(row);
      });
    },
  };
}
export type ComplianceService = ReturnType<typeof createComplianceService>;
