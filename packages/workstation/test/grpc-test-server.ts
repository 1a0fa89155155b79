import { spawnSync } from 'node:child_process';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import {
  AgentConfigSchema,
  AgentService,
  CapabilityTier,
  type CheckResult,
  type HealCommand,
  type HealResult,
  type HeartbeatRequest,
} from '@osiris/protocol/agent-proto';

/** The OpenSSL command line (Debian's openssl package) makes the test CA and signs CSRs. */
const OPENSSL = 'openssl';

/**
 * A tiny appliance for the client's tests: a site CA made with openssl, a TLS server on loopback
 * that asks for client certificates, Enroll signing the CSR with that CA, and in-memory state.
 */
export function startTestAppliance(dir: string, options: { token: string; clientDays?: number }) {
  const openssl = (...args: string[]) => {
    const result = spawnSync(OPENSSL, args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    'ca.key',
    '-subj',
    '/CN=Test Site CA',
    '-days',
    '2',
    '-out',
    'ca.pem',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key');
  openssl('req', '-new', '-key', 'server.key', '-subj', '/CN=appliance', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    '1',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  );
  writeFileSync(join(dir, 'client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const caDer = new X509Certificate(caPem).raw;
  let serial = 100;

  const state = {
    agentId: randomUUID(),
    siteId: randomUUID(),
    results: [] as CheckResult[],
    heartbeats: [] as HeartbeatRequest[],
    healResults: [] as HealResult[],
    pendingHeal: [] as HealCommand[],
    checkRunIds: [] as string[],
    isReportingDown: false,
  };

  const sign = (csrDer: Uint8Array) => {
    writeFileSync(join(dir, 'agent.csr'), csrDer);
    openssl(
      'x509',
      '-req',
      '-inform',
      'DER',
      '-in',
      'agent.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(serial++),
      '-days',
      String(options.clientDays ?? 1),
      '-extfile',
      'client.ext',
      '-outform',
      'DER',
      '-out',
      'agent.der',
    );
    return readFileSync(join(dir, 'agent.der'));
  };

  const adapter = connectNodeAdapter({
    routes: (router) =>
      router.service(AgentService, {
        enroll(request) {
          if (request.enrollmentToken !== options.token)
            throw new ConnectError('enrollment refused', Code.Unauthenticated);
          const cert = sign(request.csrDer);
          return {
            agentId: state.agentId,
            siteId: state.siteId,
            clientCertificateDer: cert,
            caChainDer: [caDer],
            certificateNotAfter: timestampFromDate(new Date(new X509Certificate(cert).validTo)),
            config: create(AgentConfigSchema, {
              configVersion: 1n,
              tier: CapabilityTier.SELF_HEAL,
              heartbeatIntervalSeconds: 60,
              resultsIntervalSeconds: 300,
              checks: [{ checkId: 'firewall' }, { checkId: 'disk_encryption' }],
            }),
            protocolVersion: 1,
          };
        },
        renewCertificate(request) {
          return { clientCertificateDer: sign(request.csrDer), caChainDer: [caDer] };
        },
        heartbeat(request) {
          state.heartbeats.push(request);
          const runId = state.checkRunIds.shift();
          const healCommands = state.pendingHeal.splice(0);
          return {
            serverTime: timestampFromDate(new Date()),
            protocolVersion: 1,
            healCommands,
            ...(runId ? { checkRun: { runId, checkIds: ['firewall'] } } : {}),
          };
        },
        reportResults(request) {
          if (state.isReportingDown) throw new ConnectError('appliance busy', Code.Unavailable);
          const known = new Set(state.results.map((r) => r.seq));
          const fresh = request.results.filter((r) => !known.has(r.seq));
          state.results.push(...fresh);
          return {
            ackedThroughSeq: request.results.at(-1)?.seq ?? 0n,
            storedCount: fresh.length,
            duplicateCount: request.results.length - fresh.length,
          };
        },
        reportHealResult(request) {
          if (request.result) state.healResults.push(request.result);
          return { alreadyRecorded: false };
        },
      }),
  });

  const server = http2.createSecureServer(
    {
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.pem'), 'utf8') + caPem,
      ca: caPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      // Only Enroll may be called without a verified client certificate.
      const isEnroll = req.url.endsWith('/Enroll');
      if (!isEnroll && !(req.socket as TLSSocket).authorized) {
        res.writeHead(200, {
          'content-type': 'application/grpc',
          'grpc-status': String(Code.Unauthenticated),
          'grpc-message': 'client certificate required',
        });
        res.end();
        return;
      }
      adapter(req, res);
    },
  );

  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  return new Promise<{
    appliance: string;
    caFingerprint: string;
    state: typeof state;
    close: () => Promise<void>;
  }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        appliance: `127.0.0.1:${port}`,
        caFingerprint: createHash('sha256').update(caDer).digest('hex'),
        state,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Sessions the client keeps open would hold close() forever.
            for (const session of sessions) session.destroy();
          }),
      });
    });
  });
}
