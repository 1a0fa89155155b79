import {
  ErrorResponse,
  Release,
  type ReleaseCreateRequest,
  Rollout,
  RolloutAppliance,
  type RolloutCreateRequest,
  type SessionInfo,
  SitePage,
} from '@osiris/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { ApiError, api } from '../../../api';

/**
 * The admin face's client of central's fleet routes (releases and rollouts, issue 10). Every
 * answer is parsed with protocol's schemas; lists come as `{ items }`.
 */
const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) }).transform((page) => page.items);

const ReleaseList = listOf(Release);
const RolloutList = listOf(Rollout);
const RolloutApplianceList = listOf(RolloutAppliance);

/** While a rollout can still change, its pages refresh this often. */
const LIVE_REFRESH_MS = 5_000;

export const isLive = (status: Rollout['status']) => status === 'active' || status === 'paused';

/** The sites (first 200), for pickers and names. */
export function useAllSites() {
  return useQuery({ queryKey: ['admin', 'sites', 'all'], queryFn: () => api(SitePage, 'GET', '/v1/sites?limit=200') });
}

export function useReleases() {
  return useQuery({ queryKey: ['admin', 'releases'], queryFn: () => api(ReleaseList, 'GET', '/v1/releases') });
}

export function useRollouts() {
  return useQuery({
    queryKey: ['admin', 'rollouts'],
    queryFn: () => api(RolloutList, 'GET', '/v1/rollouts'),
    refetchInterval: (q) => (q.state.data?.some((r) => isLive(r.status)) ? LIVE_REFRESH_MS : false),
  });
}

export function useRollout(id: string) {
  return useQuery({
    queryKey: ['admin', 'rollout', id],
    queryFn: () => api(Rollout, 'GET', `/v1/rollouts/${id}`),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data.status) ? LIVE_REFRESH_MS : false),
  });
}

export function useRolloutAppliances(id: string, live: boolean) {
  return useQuery({
    queryKey: ['admin', 'rollout', id, 'appliances'],
    queryFn: () => api(RolloutApplianceList, 'GET', `/v1/rollouts/${id}/appliances`),
    refetchInterval: live ? LIVE_REFRESH_MS : false,
  });
}

export const registerRelease = (body: ReleaseCreateRequest) => api(Release, 'POST', '/v1/releases', body);
export const createRollout = (body: RolloutCreateRequest) => api(Rollout, 'POST', '/v1/rollouts', body);

export type RolloutAction = 'pause' | 'resume' | 'cancel' | 'advance';
export type ReleaseAction = 'latest' | 'withdraw';

/** Pause, resume, cancel or advance a rollout; refreshes the fleet queries. */
export function useRolloutAction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (a: { action: RolloutAction; reason?: string }) =>
      api(
        z.unknown(),
        'POST',
        `/v1/rollouts/${id}/${a.action}`,
        a.action === 'pause' ? (a.reason ? { reason: a.reason } : {}) : {},
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin'] }),
  });
}

/** Mark a release latest of its channel, or withdraw it. */
export function useReleaseAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (a: { action: ReleaseAction; version: string }) =>
      a.action === 'latest'
        ? api(z.unknown(), 'PUT', `/v1/releases/${encodeURIComponent(a.version)}/latest`, {})
        : api(z.unknown(), 'POST', `/v1/releases/${encodeURIComponent(a.version)}/withdraw`, {}),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin'] }),
  });
}

function errorOf(status: number, text: string): ApiError {
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const parsed = ErrorResponse.safeParse(json);
  if (parsed.success)
    return new ApiError(status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
  // A code this build does not know yet still carries a readable message.
  const loose = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (loose && typeof loose.message === 'string')
    return new ApiError(status, typeof loose.code === 'string' ? loose.code : 'INTERNAL', loose.message);
  if (status === 413) return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The artifact is larger than central accepts.');
  return new ApiError(status, 'INTERNAL', `Unexpected answer (${status})`);
}

/**
 * Uploads a release's artifact (PUT, application/octet-stream) with XMLHttpRequest, since fetch
 * reports no upload progress; `onProgress` gets the fraction sent (0..1).
 */
export function useArtifactUpload() {
  const client = useQueryClient();
  return (version: string, file: Blob, onProgress: (fraction: number) => void): Promise<Release> => {
    const csrf = client.getQueryData<SessionInfo | null>(['session'])?.csrfToken;
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', `/v1/releases/${encodeURIComponent(version)}/artifact`);
      xhr.withCredentials = true;
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      xhr.setRequestHeader('accept', 'application/json');
      if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
      xhr.onerror = () =>
        reject(new ApiError(0, 'NETWORK', 'The upload was interrupted. Check your connection and try again.'));
      xhr.onload = () => {
        if (xhr.status < 200 || xhr.status >= 300) return reject(errorOf(xhr.status, xhr.responseText));
        onProgress(1);
        void client.invalidateQueries({ queryKey: ['admin'] });
        // The release as central now holds it (state `available` once size and hash matched).
        api(Release, 'GET', `/v1/releases/${encodeURIComponent(version)}`).then(resolve, reject);
      };
      xhr.send(file);
    });
  };
}
