import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isForbiddenAddress } from './net-guard';

/** What one send came to. `error` never holds a URL, header or secret. */
export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  /** false: trying again cannot help (refused target, 4xx, redirect). */
  isRetryable: boolean;
}

export interface HttpPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
  timeoutMs: number;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

const refused = (error: string): SendOutcome => ({ ok: false, statusCode: null, error, isRetryable: false });

class ForbiddenTargetError extends Error {
  readonly code = 'EFORBIDDEN_TARGET';
}

/**
 * A DNS lookup that refuses a host when any of its addresses is private, loopback, link-local,
 * CGNAT, multicast or unspecified, and hands the socket exactly the address it checked (so a
 * second resolution cannot swap in another one: no DNS rebinding gap).
 */
function guardedLookup(allowPrivate: boolean) {
  return (
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '');
      const list = addresses as LookupAddress[];
      const first = list[0];
      if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), '');
      if (!allowPrivate && list.some((a) => isForbiddenAddress(a.address)))
        return callback(new ForbiddenTargetError('target resolves to a private or internal address; refused'), '');
      if (options.all) return callback(null, [first]);
      return callback(null, first.address, first.family);
    });
  };
}

function describe(error: unknown, timeoutMs: number): string {
  const err = error as { code?: string; message?: string };
  if (err.code === 'ETIMEDOUT_OSIRIS') return `timed out after ${timeoutMs} ms`;
  if (err.code === 'EFORBIDDEN_TARGET') return err.message ?? 'refused';
  return (err.code ?? err.message ?? 'request failed').slice(0, 200);
}

/**
 * POST a body with SSRF protection: https only (unless allowHttp), no private targets (unless
 * allowPrivate), the connection pinned to the checked address, redirects never followed (a 3xx is
 * a failure), and the whole exchange bounded by timeoutMs.
 */
export function postGuarded(
  target: string,
  request: { headers: Record<string, string>; body: string },
  policy: HttpPolicy,
): Promise<SendOutcome> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve(refused('invalid URL'));
  }
  const isHttps = url.protocol === 'https:';
  if (!isHttps && !(url.protocol === 'http:' && policy.allowHttp)) return Promise.resolve(refused('https is required'));
  if (url.username || url.password) return Promise.resolve(refused('URLs with credentials are refused'));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // Node connects to an IP literal without a lookup: check it here.
  if (isIP(host) && !policy.allowPrivate && isForbiddenAddress(host))
    return Promise.resolve(refused('target is a private or internal address; refused'));

  return new Promise((resolve) => {
    let isSettled = false;
    const settle = (outcome: SendOutcome) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const body = Buffer.from(request.body, 'utf8');
    const req = (isHttps ? https : http).request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(policy.allowPrivate) as never,
        headers: { ...request.headers, 'content-length': String(body.length), 'user-agent': 'OsirisCare-Notifier/1' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) res.destroy();
        });
        const finish = () => {
          if (status >= 200 && status < 300) settle({ ok: true, statusCode: status, error: null, isRetryable: false });
          else if (status >= 300 && status < 400)
            settle({
              ok: false,
              statusCode: status,
              error: `HTTP ${status}: redirects are not followed`,
              isRetryable: false,
            });
          else
            settle({
              ok: false,
              statusCode: status,
              error: `HTTP ${status}`,
              isRetryable: status >= 500 || status === 408 || status === 429,
            });
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT_OSIRIS' }));
    }, policy.timeoutMs);
    req.on('error', (error) => {
      const isForbidden = (error as { code?: string }).code === 'EFORBIDDEN_TARGET';
      settle({ ok: false, statusCode: null, error: describe(error, policy.timeoutMs), isRetryable: !isForbidden });
    });
    req.end(body);
  });
}
