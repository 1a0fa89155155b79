import {
  CompliancePacket,
  CompliancePacketList,
  ConsistencyProofResponse,
  ErrorResponse,
  InclusionProofResponse,
  LogKey,
  TreeHeadPage,
  TreeHeadRecord,
} from '@osiris/protocol';
import { useQuery } from '@tanstack/react-query';
import { ApiError, api, query } from '../api';

/** Calls to the transparency log, packets and the auditor export (issue 8), shared by every face. */

export const useLogKey = () =>
  useQuery({
    queryKey: ['transparency', 'log-key'],
    queryFn: () => api(LogKey, 'GET', '/v1/transparency/log-key'),
    staleTime: 5 * 60_000,
  });

/** The newest signed tree head; null until the first one is issued. */
export async function fetchLatestHead(): Promise<TreeHeadRecord | null> {
  try {
    return await api(TreeHeadRecord, 'GET', '/v1/tree-heads/latest');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export const useLatestHead = () => useQuery({ queryKey: ['tree-heads', 'latest'], queryFn: fetchLatestHead });

export const fetchTreeHeads = (cursor: string | null, limit: number) =>
  api(TreeHeadPage, 'GET', `/v1/tree-heads${query({ limit, cursor })}`);

export const fetchConsistency = (first: number, second: number) =>
  api(ConsistencyProofResponse, 'GET', `/v1/tree-heads/consistency${query({ first, second })}`);

/** A bundle's inclusion proof in the tree head of `treeSize`; null when it is not in that head (yet). */
export async function fetchInclusion(
  applianceId: string,
  seq: number,
  treeSize: number,
): Promise<InclusionProofResponse | null> {
  try {
    return await api(
      InclusionProofResponse,
      'GET',
      `/v1/appliances/${encodeURIComponent(applianceId)}/evidence/${seq}/inclusion${query({ treeSize })}`,
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export const packetsKey = (practiceId: string) => ['practice', practiceId, 'packets'] as const;

export const usePackets = (practiceId: string) =>
  useQuery({
    queryKey: packetsKey(practiceId),
    queryFn: () => api(CompliancePacketList, 'GET', `/v1/practices/${encodeURIComponent(practiceId)}/packets`),
    enabled: Boolean(practiceId),
  });

export const makePacket = (practiceId: string, month: string) =>
  api(CompliancePacket, 'POST', `/v1/practices/${encodeURIComponent(practiceId)}/packets`, { month });

export const packetPdfUrl = (packetId: string) => `/v1/packets/${encodeURIComponent(packetId)}/pdf`;

/** First and last characters of a long hash, for tables (the whole value stays one copy away). */
export const abbreviate = (hash: string, keep = 10) =>
  hash.length <= keep * 2 + 1 ? hash : `${hash.slice(0, keep)}…${hash.slice(-4)}`;

/** Offers bytes to the person as a file download. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The file name of a `content-disposition: attachment; filename="…"` header, when it is a safe one. */
function attachmentName(header: string | null): string | null {
  const name = header?.match(/filename="([^"]+)"/)?.[1];
  return name && /^[A-Za-z0-9._-]{1,200}$/.test(name) ? name : null;
}

/**
 * GETs a file download, reporting bytes as they arrive. A non-2xx answer becomes an ApiError with
 * central's code and message, as for JSON calls.
 */
export async function downloadWithProgress(
  path: string,
  onProgress: (receivedBytes: number, totalBytes: number | null) => void,
): Promise<{ blob: Blob; filename: string | null }> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Central Command cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const parsed = ErrorResponse.safeParse(json);
    if (parsed.success)
      throw new ApiError(response.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
    throw new ApiError(response.status, 'INTERNAL', `Unexpected answer (${response.status})`);
  }
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress(received, total);
    }
  }
  const type = response.headers.get('content-type') ?? 'application/octet-stream';
  const blob = reader ? new Blob(chunks as BlobPart[], { type }) : await response.blob();
  return { blob, filename: attachmentName(response.headers.get('content-disposition')) };
}
