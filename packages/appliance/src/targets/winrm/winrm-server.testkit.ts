import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { challengeMessage, type ServerChallenge, verifyAuthenticate } from './ntlm-server.testkit';

/**
 * A stand-in WinRM service on loopback for the int tests: HTTPS with a self-signed certificate,
 * NTLM over `Negotiate` per connection (the client's NTLMv2 response and MIC are checked against the
 * known password), then WS-Management replies from the hand-written fixtures in fixtures/winrm.
 */

const FIXTURES = join(import.meta.dirname, '../../../fixtures/winrm');

export interface WsmanRequest {
  action: string;
  shellId: string | null;
  body: string;
  /** The PowerShell script of a Command request, decoded from -EncodedCommand. */
  script: string | null;
  /** Which TCP connection carried it (1, 2, … in order of connection). */
  connection: number;
}

export type Reply =
  | { fixture: string; status?: number }
  /** The template fixture receive-output.template.xml filled with this output. */
  | { output: { stdout: string; exitCode: number } }
  | { status: number; headers?: Record<string, string> }
  | 'hang';

export interface StandInOptions {
  certificate: { cert: string; key: string };
  password: string;
  handler: (request: WsmanRequest) => Reply;
  /** Answer every HTTP request, before any authentication, with a 302 to this URL. */
  redirectTo?: string;
}

/** Debian's openssl CLI, which makes the stand-in server's certificates. */
const OPENSSL = 'openssl';

/** A fresh self-signed P-256 certificate (openssl CLI), in PEM. */
export function selfSignedCertificate(directory: string, name: string): { cert: string; key: string } {
  const keyPath = join(directory, `${name}.key`);
  const certPath = join(directory, `${name}.crt`);
  execFileSync(
    OPENSSL,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

/** A fixture with its RelatesTo filled in from the request's MessageID. */
function fixtureReply(name: string, requestBody: string): string {
  const messageId = /<a:MessageID>([^<]*)<\/a:MessageID>/.exec(requestBody)?.[1] ?? 'uuid:unknown';
  return readFileSync(join(FIXTURES, name), 'utf8').replace('{{RELATES_TO}}', messageId);
}

interface ConnectionState {
  number: number;
  negotiate?: Buffer;
  challenge?: ServerChallenge;
  isAuthenticated: boolean;
}

function parseRequest(body: string, connection: number): WsmanRequest {
  const action = /<a:Action[^>]*>([^<]*)<\/a:Action>/.exec(body)?.[1] ?? '';
  const shellId = /<w:Selector Name="ShellId">([^<]*)<\/w:Selector>/.exec(body)?.[1] ?? null;
  const encoded = /-EncodedCommand ([A-Za-z0-9+/=]+)<\/rsp:Arguments>/.exec(body)?.[1];
  const script = encoded ? Buffer.from(encoded, 'base64').toString('utf16le') : null;
  return { action, shellId, body, script, connection };
}

export async function startWinrmStandIn(options: StandInOptions) {
  const requests: WsmanRequest[] = [];
  const ntlm = { negotiates: 0, authenticated: [] as { user: string; domain: string }[], rejected: 0 };
  const states = new WeakMap<Socket, ConnectionState>();
  const hanging = new Set<() => void>();
  let connections = 0;
  let httpRequests = 0;

  const server: Server = createServer({ ...options.certificate, keepAliveTimeout: 30_000 }, (req, res) => {
    httpRequests += 1;
    if (options.redirectTo) {
      res.writeHead(302, { Location: options.redirectTo });
      res.end();
      return;
    }
    const socket = req.socket;
    let state = states.get(socket);
    if (!state) {
      connections += 1;
      state = { number: connections, isAuthenticated: false };
      states.set(socket, state);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const current = state as ConnectionState;
      if (!current.isAuthenticated) {
        const header = req.headers.authorization ?? '';
        const token = header.startsWith('Negotiate ') ? Buffer.from(header.slice(10), 'base64') : null;
        const type = token && token.length >= 12 ? token.readUInt32LE(8) : 0;
        if (token && type === 1) {
          ntlm.negotiates += 1;
          current.negotiate = token;
          current.challenge = challengeMessage({ domain: 'CORP', computer: 'DC01', withTimestamp: true });
          res.writeHead(401, { 'WWW-Authenticate': `Negotiate ${current.challenge.message.toString('base64')}` });
          res.end();
          return;
        }
        const outcome =
          token && type === 3 && current.negotiate && current.challenge
            ? verifyAuthenticate({
                negotiate: current.negotiate,
                challenge: current.challenge,
                authenticate: token,
                password: options.password,
              })
            : null;
        if (!outcome?.ok) {
          if (outcome) ntlm.rejected += 1;
          res.writeHead(401, { 'WWW-Authenticate': 'Negotiate' });
          res.end();
          return;
        }
        current.isAuthenticated = true;
        ntlm.authenticated.push({ user: outcome.user, domain: outcome.domain });
      }
      const request = parseRequest(body, current.number);
      requests.push(request);
      const reply = options.handler(request);
      if (reply === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      if ('output' in reply) {
        res.writeHead(200, { 'Content-Type': 'application/soap+xml;charset=UTF-8' });
        res.end(
          fixtureReply('receive-output.template.xml', body)
            .replace('{{STDOUT_BASE64}}', Buffer.from(reply.output.stdout, 'utf8').toString('base64'))
            .replace('{{EXIT_CODE}}', String(reply.output.exitCode)),
        );
        return;
      }
      if ('fixture' in reply) {
        res.writeHead(reply.status ?? (reply.fixture.endsWith('.fault.xml') ? 500 : 200), {
          'Content-Type': 'application/soap+xml;charset=UTF-8',
        });
        res.end(fixtureReply(reply.fixture, body));
        return;
      }
      res.writeHead(reply.status, reply.headers);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    ntlm,
    get connections() {
      return connections;
    },
    get httpRequests() {
      return httpRequests;
    },
    async close(): Promise<void> {
      for (const release of hanging) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A handler answering the whole shell lifecycle from the fixtures; Receive first says "nothing yet". */
export function windowsLikeHandler(overrides: Partial<Record<'create' | 'command' | 'receive', Reply>> = {}) {
  let receives = 0;
  return (request: WsmanRequest): Reply => {
    const action = request.action.split('/').at(-1);
    switch (action) {
      case 'Create':
        return overrides.create ?? { fixture: 'create-shell.response.xml' };
      case 'Command':
        receives = 0;
        return overrides.command ?? { fixture: 'command.response.xml' };
      case 'Receive': {
        if (overrides.receive) return overrides.receive;
        receives += 1;
        const sequence = ['receive-timeout.fault.xml', 'receive-running.response.xml', 'receive-done.response.xml'];
        return { fixture: sequence[Math.min(receives, sequence.length) - 1] as string };
      }
      case 'Signal':
        return { fixture: 'signal.response.xml' };
      case 'Delete':
        return { fixture: 'delete-shell.response.xml' };
      default:
        return { status: 400 };
    }
  };
}
