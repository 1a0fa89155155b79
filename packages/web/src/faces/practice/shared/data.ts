import {
  AppliancePage,
  checkById,
  EvidencePage,
  type LatestResult,
  LatestResultList,
  PartnerBranding,
  Practice,
  SitePage,
} from '@osiris/protocol';
import { useQueries, useQuery } from '@tanstack/react-query';
import { api, query } from '../../../api';

/** The practice's sites (practice people only; auditors are refused by central). */
export const useSites = (enabled = true) =>
  useQuery({
    queryKey: ['sites'],
    queryFn: () => api(SitePage, 'GET', `/v1/sites${query({ limit: 200 })}`),
    enabled,
    retry: false,
  });

export const usePractice = (practiceId: string | null | undefined) =>
  useQuery({
    queryKey: ['practice', practiceId],
    queryFn: () => api(Practice, 'GET', `/v1/practices/${practiceId}`),
    enabled: Boolean(practiceId),
    retry: false,
  });

export const useBranding = (partnerId: string | null | undefined) =>
  useQuery({
    queryKey: ['branding', partnerId],
    queryFn: () => api(PartnerBranding, 'GET', `/v1/partners/${partnerId}/branding`),
    enabled: Boolean(partnerId),
    retry: false,
  });

export const useAppliances = (siteId: string | null) =>
  useQuery({
    queryKey: ['appliances', siteId],
    queryFn: () => api(AppliancePage, 'GET', `/v1/sites/${siteId}/appliances`),
    enabled: Boolean(siteId),
  });

/** The latest results of several sites, one query each. */
export function useSiteResults(siteIds: readonly string[]) {
  return useQueries({
    queries: siteIds.map((id) => ({
      queryKey: ['results', id],
      queryFn: () => api(LatestResultList, 'GET', `/v1/sites/${id}/results`),
      retry: false,
    })),
  });
}

export const fetchEvidencePage = (applianceId: string, afterSeq: number, limit: number) =>
  api(EvidencePage, 'GET', `/v1/appliances/${applianceId}/evidence${query({ afterSeq, limit })}`);

export interface Score {
  pass: number;
  fail: number;
  error: number;
  other: number;
  /** passing ÷ (passing + failing), as a whole percent; null with nothing to score. */
  percent: number | null;
}

/** The compliance score of a set of latest results: errors and exceptions are counted apart. */
export function scoreOf(results: readonly LatestResult[]): Score {
  const count = (status: string) => results.filter((r) => r.status === status).length;
  const pass = count('pass');
  const fail = count('fail');
  const error = count('error');
  return {
    pass,
    fail,
    error,
    other: results.length - pass - fail - error,
    percent: pass + fail === 0 ? null : Math.round((pass / (pass + fail)) * 100),
  };
}

/** A check's title for people, never a raw id when the catalog knows it. */
export const checkTitle = (checkId: string) => checkById(checkId)?.title ?? `Check ${checkId}`;

export const formatTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
export const formatDate = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' }) : '—';
