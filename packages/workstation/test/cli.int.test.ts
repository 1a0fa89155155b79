import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/osiris-agent.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'osiris-agent-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const agent = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('osiris-agent command line', () => {
  it('prints its version', () => {
    const result = agent('--version');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^osiris-agent 0\.1\.0 \(node v\d+/);
  });

  it('dry-runs the configured checks on this machine and prints one verdict per check', () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ checks: [{ check_id: 'disk_encryption' }, { check_id: 'antivirus' }] }));
    const result = agent('--dry-run', '--config', config);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^(PASS|FAIL) +disk_encryption +\[HIPAA 164\.312\(a\)\(2\)\(iv\)\]/m);
    expect(result.stdout).toMatch(/^UNSUPPORTED +antivirus/m);
    expect(result.stdout).toMatch(/expected: The root filesystem sits on a dm-crypt/);
  });

  it('exits 2 with a clear message for a bad config file', () => {
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ appliance: 'nowhere' }));
    const result = agent('--dry-run', '--config', config);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('appliance: must be host:port');
  });

  it('refuses to run without an appliance address', () => {
    const config = join(dir, 'empty.json');
    writeFileSync(config, '{}');
    const result = agent('--config', config, '--data-dir', join(dir, 'data'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no appliance address');
  });
});
