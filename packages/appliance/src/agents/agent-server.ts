import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { DescMessage } from '@bufbuild/protobuf';
import {
  Code,
  ConnectError,
  type ConnectRouter,
  type ContextValues,
  createContextKey,
  createContextValues,
  type HandlerContext,
} from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { type AgentHeader, AgentService, getMaxEncodedBytes } from '@osiris/protocol/agent-proto';
import type { Logger } from '../log';
import { createConnectionCounter, createRequestLimiter } from './agent-limits';
import type { AgentIdentity, AgentService as AgentServiceImpl } from './agent.service';
import type { AgentsStore } from './agents.store';
import { findLimitViolation } from './field-limits';
import { normalizeSerial, type SiteCa } from './site-ca';

export interface AgentServerLimits {
  maxConnectionsPerAgent: number;
  /** HTTP/2 streams one connection may have open at once. */
  maxConcurrentStreams: number;
  requestsPerMinutePerAgent: number;
  requestBurstPerAgent: number;
  /** Idle connections are closed after this long. */
  idleTimeoutMs: number;
  /** Open TLS connections in all (enrolled or not); more are refused at accept. */
  maxConnections?: number;
}

interface Peer {
  remote: string;
  authorized: boolean;
  authorizationError: string | null;
  certificate: PeerCertificate | null;
  /** This connection is beyond its agent's connection limit. */
  isOverLimit: boolean;
}

const peerKey = createContextKey<Peer | null>(null, { description: 'TLS peer of the call' });
const SERVER_CERT_CHECK_MS = 6 * 3_600_000;
const hasCertificate = (cert: PeerCertificate | null): cert is PeerCertificate =>
  cert !== null && typeof cert.serialNumber === 'string' && cert.serialNumber !== '';

const commonName = (cert: PeerCertificate | null | undefined): string | undefined => {
  const cn = cert?.subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
};

function asInvalidArgumentOnParseError(trailers: http2.OutgoingHttpHeaders): http2.OutgoingHttpHeaders {
  let message = '';
  try {
    message = decodeURIComponent(String(trailers['grpc-message'] ?? ''));
  } catch {
    return trailers;
  }
  if (String(trailers['grpc-status']) !== String(Code.Internal) || !message.startsWith('parse binary')) return trailers;
  return { ...trailers, 'grpc-status': String(Code.InvalidArgument) };
}

function tlsSocketOf(session: http2.Http2Session): TLSSocket {
  return session.socket as TLSSocket;
}

/**
 * The agent endpoint: gRPC (connect-node) over HTTP/2 with TLS on a server certificate from the site
 * CA. Client certificates are requested but not required at the TLS layer so Enroll works without
 * one; every other RPC is refused unless the certificate chains to the site CA, is unexpired, is
 * known to the store, not revoked, and names the agent of the request header.
 */
export async function startAgentServer(deps: {
  ca: SiteCa;
  service: AgentServiceImpl;
  agents: AgentsStore;
  log: Logger;
  host: string;
  port: number;
  /** DNS names and addresses agents use to reach the appliance (the server certificate's SANs). */
  serverNames: readonly string[];
  limits: AgentServerLimits;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  const limiter = createRequestLimiter({
    requestsPerMinute: deps.limits.requestsPerMinutePerAgent,
    burst: deps.limits.requestBurstPerAgent,
  });
  const connections = createConnectionCounter(deps.limits.maxConnectionsPerAgent);
  const overLimit = new WeakSet<http2.Http2Session>();
  const sessions = new Set<http2.Http2Session>();

  function authenticate(peer: Peer | null, header: AgentHeader | undefined): AgentIdentity {
    if (!peer || !hasCertificate(peer.certificate))
      throw new ConnectError('a client certificate is required', Code.Unauthenticated);
    if (!peer.authorized) {
      deps.log.warn('agent certificate refused', { remote: peer.remote, reason: peer.authorizationError });
      throw new ConnectError(`client certificate not accepted (${peer.authorizationError})`, Code.Unauthenticated);
    }
    const serial = normalizeSerial(peer.certificate.serialNumber);
    const row = deps.agents.certificate(serial);
    const agentId = commonName(peer.certificate);
    if (!row || row.agentId !== agentId)
      throw new ConnectError('client certificate not issued by this appliance', Code.Unauthenticated);
    if (Date.parse(row.notAfter) <= now().getTime())
      throw new ConnectError('client certificate expired', Code.Unauthenticated);
    const agent = deps.agents.agent(row.agentId);
    if (row.revokedAt || !agent || agent.revokedAt) {
      deps.log.warn('revoked agent certificate refused', { agentId: row.agentId, serial, remote: peer.remote });
      throw new ConnectError('certificate or agent revoked', Code.PermissionDenied);
    }
    if (!header || header.agentId !== row.agentId)
      throw new ConnectError('header.agent_id does not match the client certificate', Code.PermissionDenied);
    if (peer.isOverLimit) throw new ConnectError('too many connections for this agent', Code.ResourceExhausted);
    return { agentId: row.agentId, serial };
  }

  function checkMessage(schema: DescMessage, message: unknown): void {
    const problem = findLimitViolation(schema, message);
    if (problem) throw new ConnectError(problem, Code.InvalidArgument);
  }

  function throttle(key: string): void {
    if (!limiter.take(key)) throw new ConnectError('request rate limit exceeded', Code.ResourceExhausted);
  }

  /** Wraps an RPC that needs mutual TLS: identity, rate, bounds, then the service. */
  function authed<I extends DescMessage, R extends { header?: AgentHeader }, O>(
    schema: I,
    run: (request: R, identity: AgentIdentity) => O | Promise<O>,
  ) {
    return async (request: R, context: HandlerContext): Promise<O> => {
      const identity = authenticate(context.values.get(peerKey), request.header);
      throttle(`agent:${identity.agentId}`);
      checkMessage(schema, request);
      return run(request, identity);
    };
  }

  const options = (schema: DescMessage) => ({ readMaxBytes: getMaxEncodedBytes(schema) ?? 65_536 });
  const methods = AgentService.method;
  const routes = (router: ConnectRouter) => {
    router.rpc(
      methods.enroll,
      async (request, context) => {
        const remote = context.values.get(peerKey)?.remote ?? 'unknown';
        throttle(`enroll:${remote}`);
        checkMessage(methods.enroll.input, request);
        return deps.service.enroll(request, remote);
      },
      options(methods.enroll.input),
    );
    router.rpc(
      methods.renewCertificate,
      authed(methods.renewCertificate.input, deps.service.renewCertificate),
      options(methods.renewCertificate.input),
    );
    router.rpc(
      methods.heartbeat,
      authed(methods.heartbeat.input, deps.service.heartbeat),
      options(methods.heartbeat.input),
    );
    router.rpc(
      methods.reportResults,
      authed(methods.reportResults.input, deps.service.reportResults),
      options(methods.reportResults.input),
    );
    router.rpc(
      methods.reportHealResult,
      authed(methods.reportHealResult.input, deps.service.reportHealResult),
      options(methods.reportHealResult.input),
    );
  };

  const handler = connectNodeAdapter({
    routes,
    grpc: true,
    grpcWeb: false,
    connect: false,
    contextValues: (req): ContextValues => {
      const values = createContextValues();
      const session = (req as http2.Http2ServerRequest).stream?.session;
      if (!session) return values;
      const socket = tlsSocketOf(session);
      const certificate = socket.getPeerCertificate?.() ?? null;
      return values.set(peerKey, {
        remote: socket.remoteAddress ?? 'unknown',
        authorized: socket.authorized === true,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
        certificate,
        isOverLimit: overLimit.has(session),
      });
    },
  });

  const serverCertificate = async () => {
    const issued = await deps.ca.issueServerCertificate(deps.serverNames);
    return {
      issued,
      context: { key: issued.keyPem, cert: `${issued.pem.trim()}\n${deps.ca.caPem.trim()}\n`, ca: [deps.ca.caPem] },
    };
  };
  let current = await serverCertificate();
  const server = http2.createSecureServer({
    ...current.context,
    requestCert: true,
    rejectUnauthorized: false,
    allowHTTP1: false,
    minVersion: 'TLSv1.2',
    settings: { maxConcurrentStreams: deps.limits.maxConcurrentStreams },
  });
  server.on('request', (req, res) => {
    // connect answers an undecodable request with INTERNAL; the contract says INVALID_ARGUMENT.
    const addTrailers = res.addTrailers.bind(res);
    res.addTrailers = (trailers) => addTrailers(asInvalidArgumentOnParseError(trailers));
    handler(req, res);
  });
  server.setTimeout(deps.limits.idleTimeoutMs);
  server.maxConnections = deps.limits.maxConnections ?? 2048;
  server.on('session', (session) => {
    sessions.add(session);
    const socket = tlsSocketOf(session);
    const cert = socket.authorized ? socket.getPeerCertificate() : null;
    const agentId = commonName(cert);
    if (agentId) {
      if (!connections.open(agentId)) {
        overLimit.add(session);
        deps.log.warn('agent connection over its limit', { agentId, open: connections.count(agentId) });
      }
    }
    session.once('close', () => {
      sessions.delete(session);
      if (agentId) connections.close(agentId);
    });
    session.on('error', (error) => deps.log.debug('agent connection error', { error }));
  });
  server.on('tlsClientError', (error) => deps.log.debug('agent TLS handshake failed', { error }));

  // The server certificate is short-lived: it is replaced once less than a third of its life remains.
  const renewTimer = setInterval(() => {
    const left = current.issued.notAfter.getTime() - now().getTime();
    const life = current.issued.notAfter.getTime() - current.issued.notBefore.getTime();
    if (left > life / 3) return;
    serverCertificate()
      .then((next) => {
        current = next;
        server.setSecureContext(next.context);
        deps.log.info('agent endpoint certificate renewed', { notAfter: next.issued.notAfter.toISOString() });
      })
      .catch((error: unknown) => deps.log.error('agent endpoint certificate renewal failed', { error }));
  }, SERVER_CERT_CHECK_MS);
  renewTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  deps.log.info('agent endpoint listening', { host: deps.host, port, caFingerprint: deps.ca.fingerprint });

  return {
    port,
    /** Stops accepting, closes every connection. */
    async close(): Promise<void> {
      clearInterval(renewTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.destroy();
      await closed;
    },
  };
}
