import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { type HostKeyPins, TargetError } from '../target';
import { authenticateMessage, NtlmError, negotiateMessage, parseChallengeMessage } from './ntlm';
import { type CertificateMismatch, createPinnedAgent } from './pinned-agent';
import { parseFault, type WsmanFault } from './wsman-response';

export interface WsmanTransportOptions {
  host: string;
  port: number;
  /** `DOMAIN\user`, `user@domain` or a local account name. */
  username: string;
  password: string;
  pins: HostKeyPins;
  connectTimeoutMs: number;
  /** Largest response body accepted; a larger one is cut off and the request fails. */
  maxResponseBytes: number;
  onCertificateMismatch?: (info: CertificateMismatch) => void;
}

/** The server answered with a SOAP fault (HTTP 500 and s:Fault). */
export class WsmanFaultError extends Error {
  constructor(readonly fault: WsmanFault) {
    super(
      `WinRM fault${fault.wsmanCode === null ? '' : ` ${fault.wsmanCode}`}${fault.subcode ? ` (${fault.subcode})` : ''}: ${fault.message}`,
    );
    this.name = 'WsmanFaultError';
  }
}

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

export interface PostOptions {
  /** The whole request, connection and handshake included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

const CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';

function negotiateToken(response: RawResponse): Buffer | null {
  const header = response.headers['www-authenticate'];
  const values = Array.isArray(header) ? header : header ? header.split(/,\s*(?=[A-Za-z]+(?:\s|$))/) : [];
  for (const value of values) {
    const match = /^Negotiate\s+([A-Za-z0-9+/=]+)\s*$/.exec(value.trim());
    if (match?.[1]) return Buffer.from(match[1], 'base64');
  }
  return null;
}

function decodeBody(chunks: Buffer[], contentType: string | undefined): string {
  const body = Buffer.concat(chunks);
  if (/charset\s*=\s*"?utf-16/i.test(contentType ?? '')) {
    const hasBom = body[0] === 0xff && body[1] === 0xfe;
    return body.subarray(hasBom ? 2 : 0).toString('utf16le');
  }
  return body.toString('utf8');
}

/**
 * POSTs WS-Management envelopes to https://host:port/wsman over one pinned, NTLM-authenticated
 * connection. Redirects are refused, never followed (credentials must not go elsewhere). Returns
 * the response envelope of a 200; throws WsmanFaultError for a SOAP fault, TargetError otherwise.
 */
export function createWsmanTransport(options: WsmanTransportOptions) {
  const endpoint = `https://${options.host}:${options.port}/wsman`;
  const agent = createPinnedAgent(options);
  let authenticated: Socket | null = null;

  const send = (body: string, authorization: string | null, post: PostOptions): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(body, 'utf8');
      const headers: Record<string, string | number> = {
        'Content-Type': CONTENT_TYPE,
        'Content-Length': payload.length,
        'User-Agent': 'osiris-appliance winrm',
      };
      if (authorization) headers.Authorization = authorization;
      const req = request({ host: options.host, port: options.port, path: '/wsman', method: 'POST', agent, headers });
      // The connection that carried this request (response.socket is detached once the agent frees it).
      let socket: Socket | null = null;
      req.once('socket', (assigned: Socket) => {
        socket = assigned;
      });
      const fail = (error: Error): void => {
        req.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new TargetError('TIMEOUT', `${endpoint} did not answer within ${post.timeoutMs} ms`)),
        post.timeoutMs,
      );
      const onAbort = (): void => fail(new TargetError('ABORTED', `request to ${endpoint} was aborted`));
      post.signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        post.signal?.removeEventListener('abort', onAbort);
      };
      req.on('error', (error) => {
        done();
        if (error instanceof TargetError) return reject(error);
        const isStale = req.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET';
        reject(
          new TargetError(isStale ? 'UNREACHABLE' : 'FAILED', `request to ${endpoint} failed: ${error.message}`, {
            cause: Object.assign(error, { isStaleSocket: isStale }),
          }),
        );
      });
      req.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxResponseBytes) {
            done();
            fail(
              new TargetError('FAILED', `${endpoint} sent a response larger than ${options.maxResponseBytes} bytes`),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          done();
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: decodeBody(chunks, response.headers['content-type']),
            socket: socket ?? response.socket,
          });
        });
        response.on('error', (error) => {
          done();
          reject(new TargetError('FAILED', `response from ${endpoint} broke off: ${error.message}`, { cause: error }));
        });
      });
      if (post.signal?.aborted) onAbort();
      else req.end(payload);
    });

  /** Negotiate, Challenge, Authenticate on one connection; the envelope rides on the last request. */
  const handshake = async (body: string, post: PostOptions): Promise<RawResponse> => {
    authenticated = null;
    const negotiate = negotiateMessage();
    const first = await send('', `Negotiate ${negotiate.toString('base64')}`, post);
    const token = first.status === 401 ? negotiateToken(first) : null;
    if (token === null) {
      if (first.status === 401)
        throw new TargetError('AUTH_FAILED', `${endpoint} does not offer NTLM through Negotiate authentication`);
      throw unexpectedStatus(first);
    }
    let authenticate: Buffer;
    try {
      authenticate = authenticateMessage({
        negotiate,
        challenge: parseChallengeMessage(token),
        username: options.username,
        password: options.password,
      });
    } catch (error) {
      if (error instanceof NtlmError)
        throw new TargetError('FAILED', `${endpoint}: ${error.message}`, { cause: error });
      throw error;
    }
    const second = await send(body, `Negotiate ${authenticate.toString('base64')}`, post);
    if (second.socket !== first.socket)
      throw new TargetError('FAILED', `${endpoint} closed the connection during the NTLM handshake`);
    if (second.status === 401)
      throw new TargetError('AUTH_FAILED', `${endpoint} refused NTLM authentication for ${options.username}`);
    authenticated = second.socket;
    return second;
  };

  function unexpectedStatus(response: RawResponse): TargetError {
    if (response.status >= 300 && response.status < 400) {
      const where = String(response.headers.location ?? 'elsewhere').slice(0, 200);
      return new TargetError('FAILED', `${endpoint} redirected to ${where}; redirects are refused`);
    }
    return new TargetError('FAILED', `${endpoint} answered HTTP ${response.status}`);
  }

  const result = (response: RawResponse): string => {
    if (response.status === 200) return response.body;
    if (response.status === 500) {
      const fault = parseFault(response.body);
      if (fault) throw new WsmanFaultError(fault);
    }
    if (response.status === 401) throw new TargetError('AUTH_FAILED', `${endpoint} refused the authenticated request`);
    throw unexpectedStatus(response);
  };

  return {
    endpoint,
    async post(body: string, post: PostOptions): Promise<string> {
      const socket = authenticated;
      if (socket && !socket.destroyed) {
        try {
          const response = await send(body, null, post);
          // A 401 on a connection that was authenticated: the server dropped the NTLM context.
          if (response.status !== 401) return result(response);
        } catch (error) {
          const isStale = (error as { cause?: { isStaleSocket?: boolean } }).cause?.isStaleSocket === true;
          if (!isStale) throw error;
          // The server closed the idle connection just as we reused it: nothing was processed.
        }
      }
      return result(await handshake(body, post));
    },
    /** Drops the connection (after a timeout or abort the next request starts a new one). */
    reset(): void {
      authenticated = null;
      agent.destroy();
    },
    close(): void {
      authenticated = null;
      agent.destroy();
    },
  };
}
export type WsmanTransport = ReturnType<typeof createWsmanTransport>;
