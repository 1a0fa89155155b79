import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestTsaServer, type TestTsaServer } from '@osiris/central/testing';
import { exportFilesFromMap, unzipExport, verifyExport } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExportFixture, type ExportFixture, zipExportFiles } from './export-fixture';
import { main } from '../src/cli';
import { TAMPER_CASES } from '../src/testing/tamper-cases';

const BIN = fileURLToPath(new URL('../bin/osiris-verify.mjs', import.meta.url));
const run = promisify(execFile);

/** Runs the real bin; resolves with its exit code and output (a non-zero exit is not an error here). */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let tsa: TestTsaServer;
let fixture: ExportFixture;
let dir: string;

beforeAll(async () => {
  tsa = await startTestTsaServer();
  fixture = await buildExportFixture(tsa);
  dir = await mkdtemp(join(tmpdir(), 'osiris-verify-'));
});

afterAll(async () => {
  await tsa?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a valid export', () => {
  it('verifies from its files and from its ZIP, with every item counted', async () => {
    const steps: string[] = [];
    const fromMap = await verifyExport(exportFilesFromMap(fixture.files), {
      onProgress: ({ step }) => {
        if (steps.at(-1) !== step) steps.push(step);
      },
    });
    expect(fromMap).toMatchObject({ ok: true });
    expect(fromMap.summary).toMatchObject({
      practiceName: 'Lakeside Family Dental',
      appliances: 2,
      bundles: 20,
      proofs: 20,
      treeHeads: 3,
      consistencyProofs: 2,
      tsaTokens: 2,
      tsaTrustSource: 'export',
      packets: 1,
      files: fixture.files.size,
    });
    expect(steps).toEqual([
      'manifest',
      'log key',
      'manifest signature',
      'tree heads',
      'consistency proofs',
      'timestamps',
      'appliances',
      'packets',
      'file hashes',
    ]);
    const fromZip = await verifyExport(unzipExport(fixture.zip));
    expect(fromZip).toMatchObject({ ok: true, summary: { bundles: 20 } });
  });

  it('verifies against a pinned log key and an outside TSA trust list', async () => {
    const files = exportFilesFromMap(fixture.files);
    const byId = await verifyExport(files, { pinnedLogKey: fixture.logKeyId, tsaTrust: [tsa.caCertDer] });
    expect(byId).toMatchObject({ ok: true, summary: { tsaTrustSource: 'option', tsaTokens: 2 } });
    expect(byId.summary.warnings).toEqual([]);
  });

  it('fails on another pinned log key, and on a TSA trust list that did not issue the tokens', async () => {
    const files = exportFilesFromMap(fixture.files);
    const wrongKey = await verifyExport(files, { pinnedLogKey: '0123456789abcdef' });
    expect(wrongKey).toMatchObject({ ok: false, failure: { item: 'log-key.json', step: 'log key' } });
    const otherTsa = await startTestTsaServer();
    try {
      const wrongTsa = await verifyExport(files, { tsaTrust: [otherTsa.caCertDer] });
      expect(wrongTsa).toMatchObject({ ok: false, failure: { step: 'timestamps' } });
      expect(wrongTsa.ok ? '' : wrongTsa.failure).toMatchObject({ item: 'tsa/15.tst', message: /not trusted/ });
    } finally {
      await otherTsa.close();
    }
  });

  it('redraws one progress line on a terminal and trusts the --tsa-ca file', async () => {
    const zipPath = join(dir, 'tty.zip');
    const caPath = join(dir, 'tsa-ca.pem');
    await writeFile(zipPath, fixture.zip);
    await writeFile(caPath, fixture.tsaCaPem);
    const out = { stdout: '', stderr: '' };
    const code = await main([zipPath, '--tsa-ca', caPath], {
      stdout: (text) => {
        out.stdout += text;
      },
      stderr: (text) => {
        out.stderr += text;
      },
      isTty: true,
    });
    expect(code).toBe(0);
    expect(out.stderr).toContain('\r\u001b[2Kappliances: 40/40');
    expect(out.stderr).not.toContain('\n');
    expect(out.stdout).toContain('TSA trust: the --tsa-ca certificates');
    expect(out.stdout).toContain('OK: every check holds.');
  });

  it('exits 0 through the real osiris-verify bin and prints the summary', async () => {
    const zipPath = join(dir, 'valid.zip');
    await writeFile(zipPath, fixture.zip);
    const result = await runCli([zipPath, '--log-key', fixture.logKeyId]);
    expect(result.stdout).toContain('OK: every check holds.');
    expect(result.stdout).toContain('Lakeside Family Dental');
    expect(result.code).toBe(0);
  });
});

describe('a tampered export', () => {
  for (const tamper of TAMPER_CASES) {
    it(`fails and names the item when ${tamper.name}`, async () => {
      const tampered = await tamper.apply(fixture.files, { applianceKeys: fixture.applianceKeys });
      expect(tampered).not.toBeNull();
      if (!tampered) return;
      const result = await verifyExport(exportFilesFromMap(tampered.files));
      expect(result.ok).toBe(false);
      expect(result.ok ? null : result.failure.item).toMatch(tampered.expectedItem);
    });
  }

  it('makes the CLI exit 1 and print the failing item', async () => {
    const tamper = TAMPER_CASES.find((item) => item.name === 'a bundle is removed from the middle of the chain');
    const tampered = await tamper?.apply(fixture.files, {});
    if (!tampered) throw new Error('the chain tamper case did not apply');
    const zipPath = join(dir, 'tampered.zip');
    await writeFile(zipPath, zipExportFiles(tampered.files));
    const result = await runCli([zipPath, '--quiet']);
    expect(result.code).toBe(1);
    const line = result.stdout.trim();
    expect(line).toMatch(
      /^FAILED: appliances\/[0-9a-f-]+\/bundles\.jsonl line \d+ \(seq \d+\): breaks the chain: a bundle is missing/,
    );
    expect(line.slice('FAILED: '.length).split(': ')[0]).toMatch(tampered.expectedItem);
  });

  it('makes the CLI exit 2 for a file that cannot be read, and 1 for bytes that are not a ZIP', async () => {
    expect((await runCli([join(dir, 'missing.zip')])).code).toBe(2);
    const notZip = join(dir, 'not-a.zip');
    await writeFile(notZip, 'plain text');
    const result = await runCli([notZip, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, failure: { item: 'not-a.zip', step: 'unzip' } });
  });
});
