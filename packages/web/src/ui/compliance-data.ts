import {
  Attestation,
  AttestationList,
  ComplianceScore,
  type ControlStatus,
  FRAMEWORKS,
  type FrameworkId,
  type FrameworkSelectionRequest,
  LatestResultList,
  PartnerComplianceDefaults,
  PRESETS,
  ScoreHistory,
  SiteFrameworks,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api';

/**
 * Queries and mutations of the compliance API (scores, score history, framework selection,
 * attestations), shared by every face. Keys all start with 'compliance' so one invalidation after
 * a change refreshes every score on screen.
 */

export type ScoreScope = 'sites' | 'practices' | 'partners';

export const frameworkName = (id: FrameworkId): string => FRAMEWORKS.find((f) => f.id === id)?.name ?? id;
export const presetName = (id: string | null): string =>
  id ? (PRESETS.find((p) => p.id === id)?.name ?? id) : 'Custom selection';

/** Each control status in plain language, with its badge look. */
export const STATUS_TEXT: Record<ControlStatus, { label: string; badge: string; meaning: string }> = {
  pass: {
    label: 'Passing',
    badge: 'pass',
    meaning: 'Every computer passes the checks behind it, or (manual control) a valid attestation covers it.',
  },
  fail: { label: 'Failing', badge: 'fail', meaning: 'At least one computer fails one of its checks.' },
  unknown: {
    label: 'Unknown',
    badge: 'warn',
    meaning: 'The evidence is out of date, or a check could not judge a computer. Counts against the score.',
  },
  excepted: { label: 'Excepted', badge: 'info', meaning: 'An approved exception covers it; not in the score.' },
  not_assessed: {
    label: 'Not assessed',
    badge: 'info',
    meaning: 'None of its checks runs on these computers (e.g. Windows checks at a Linux-only site); not in the score.',
  },
  unattested: {
    label: 'Needs attestation',
    badge: 'pending',
    meaning: 'A manual control (policy, training, contract…) without a valid attestation; not in the score.',
  },
};

export const scorePercent = (score: number | null): string => (score === null ? 'No score yet' : `${score}%`);

export function useComplianceScore(
  scope: ScoreScope,
  id: string | null | undefined,
  options: { framework?: FrameworkId | undefined; hostId?: string | undefined } = {},
) {
  return useQuery({
    queryKey: ['compliance', 'score', scope, id, options.framework ?? null, options.hostId ?? null],
    queryFn: () =>
      api(
        ComplianceScore,
        'GET',
        `/v1/${scope}/${id}/compliance${query({ framework: options.framework, hostId: options.hostId })}`,
      ),
    enabled: Boolean(id),
    retry: false,
  });
}

export function useScoreHistory(scope: ScoreScope, id: string | null | undefined, days = 30) {
  return useQuery({
    queryKey: ['compliance', 'history', scope, id, days],
    queryFn: () => api(ScoreHistory, 'GET', `/v1/${scope}/${id}/score-history${query({ days })}`),
    enabled: Boolean(id),
    retry: false,
  });
}

export const useAttestations = (practiceId: string | null | undefined) =>
  useQuery({
    queryKey: ['compliance', 'attestations', practiceId],
    queryFn: () => api(AttestationList, 'GET', `/v1/practices/${practiceId}/attestations`),
    enabled: Boolean(practiceId),
    retry: false,
  });

/** The hosts a site has results for (the host filter's choices). */
export const useSiteHosts = (siteId: string) =>
  useQuery({
    queryKey: ['compliance', 'hosts', siteId],
    queryFn: async () => {
      const latest = await api(LatestResultList, 'GET', `/v1/sites/${siteId}/results`);
      const hosts = new Map(latest.items.map((r) => [r.hostId, r.hostname]));
      return [...hosts.entries()].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
    },
  });

/** Invalidates every compliance query (scores, history, selections, attestations). */
export function useRefreshCompliance() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['compliance'] });
}

export function useSiteFrameworks(siteId: string) {
  const refresh = useRefreshCompliance();
  const selection = useQuery({
    queryKey: ['compliance', 'frameworks', siteId],
    queryFn: () => api(SiteFrameworks, 'GET', `/v1/sites/${siteId}/frameworks`),
  });
  const save = useMutation({
    mutationFn: (body: FrameworkSelectionRequest | null) =>
      body === null
        ? api(SiteFrameworks, 'DELETE', `/v1/sites/${siteId}/frameworks`)
        : api(SiteFrameworks, 'PUT', `/v1/sites/${siteId}/frameworks`, body),
    onSuccess: refresh,
  });
  return { selection, save };
}

export function usePartnerDefaults(partnerId: string) {
  const refresh = useRefreshCompliance();
  const defaults = useQuery({
    queryKey: ['compliance', 'defaults', partnerId],
    queryFn: () => api(PartnerComplianceDefaults, 'GET', `/v1/partners/${partnerId}/compliance-defaults`),
    enabled: Boolean(partnerId),
  });
  const save = useMutation({
    mutationFn: (body: FrameworkSelectionRequest) =>
      api(PartnerComplianceDefaults, 'PUT', `/v1/partners/${partnerId}/compliance-defaults`, body),
    onSuccess: refresh,
  });
  return { defaults, save };
}

export function useWithdrawAttestation() {
  const refresh = useRefreshCompliance();
  return useMutation({
    mutationFn: (id: string) => api(Attestation, 'POST', `/v1/attestations/${id}/revoke`),
    onSuccess: refresh,
  });
}
