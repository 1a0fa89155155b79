import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CapabilityTier } from '@osiris/protocol/agent-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCsr, startTestAgentServer, TEST_SITE_ID, type TestAgentServer } from './agent-server.testkit';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./interop/python-grpc-client.py', import.meta.url));
const PROTO_DIR = fileURLToPath(new URL('../../../protocol/proto', import.meta.url));
// Debian's interpreter on purpose: python3-grpcio and python3-grpc-tools are installed for it (see .ci/run).
const PYTHON = '/usr/bin/python3';

describe('agent endpoint interoperability', () => {
  let server: TestAgentServer;
  let workDir: string;
  afterEach(async () => {
    await server?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('serves Enroll, Heartbeat and ReportResults to Debian python3-grpcio with stubs generated from our .proto', async () => {
    server = await startTestAgentServer();
    workDir = mkdtempSync(join(tmpdir(), 'osiris-interop-'));
    const { csrDer, keyPem } = await makeCsr();
    writeFileSync(join(workDir, 'ca.pem'), server.ca.caPem);
    writeFileSync(join(workDir, 'key.pem'), keyPem, { mode: 0o600 });
    writeFileSync(join(workDir, 'csr.der'), csrDer);
    const { token } = server.tokens.create({ maxUses: 1, ttlMs: 3_600_000 });

    const { stdout } = await run(PYTHON, [SCRIPT, PROTO_DIR, workDir, `127.0.0.1:${server.server.port}`], {
      timeout: 60_000,
      env: { ...process.env, OSIRIS_ENROLLMENT_TOKEN: token },
    });
    const seen = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(seen).toMatchObject({
      site_id: TEST_SITE_ID,
      config_tier: CapabilityTier.SELF_HEAL,
      anonymous_heartbeat: 'UNAUTHENTICATED',
      heartbeat_protocol_version: 1,
      heartbeat_has_config: true,
      acked_through_seq: 1,
    });
    expect(server.agents.agent(seen.agent_id)?.hostname).toBe('py-host');
    expect(server.results.results(seen.agent_id).map((r) => r.detectedAt)).toEqual(['2023-11-14T22:13:20.000000005Z']);
    expect(readFileSync(join(workDir, 'ca.pem'), 'utf8')).toBe(server.ca.caPem);
  });
});
