import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPORT_PATHS, exportFilesFromMap, ExportManifest, verifyExport } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../src/export/export-command';
import { readExportContents, verifyZip } from '../src/export/export-report';
import { DEFAULT_EXPORT_ATTACK, type ExportRun, runExport } from '../src/export/export-run';
import { createLab } from '../src/hosts/lab';

const utf8 = new TextDecoder();

/**
 * `osiris-lab export` (issue 8) end to end with one lab host: central with a real RFC 3161 TSA on
 * loopback, an L1-healing appliance, an attack healed, a time-stamped tree head, a monthly packet,
 * the auditor's download over HTTP, and the offline verifier on the written ZIP.
 */
describe('osiris-lab export', () => {
  const lab = createLab();
  let dir: string;
  let outPath: string;
  let run: ExportRun;
  const lines: string[] = [];

  beforeAll(async () => {
    await lab.sweep(); // leftovers of a crashed run only; live hosts of other processes are kept
    dir = await mkdtemp(join(tmpdir(), 'osiris-export-test-'));
    outPath = join(dir, 'demo.zip');
    run = await runExport({ outPath, hosts: 1, timeoutSeconds: 300, progress: (line) => lines.push(line) });
  }, 330_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await lab.sweep();
  });

  it('writes a ZIP that verifyExport accepts, with checks, a healing, a time-stamped head and a packet', async () => {
    expect((await stat(outPath)).size).toBe(run.sizeBytes);
    const { files, result } = await verifyZip(new Uint8Array(await readFile(outPath)));
    expect(result.ok ? 'ok' : result.failure).toBe('ok');

    const contents = readExportContents(files);
    expect(contents.bundles.check).toBeGreaterThan(0);
    expect(contents.bundles.healing).toBeGreaterThan(0);
    const manifest = ExportManifest.parse(JSON.parse(utf8.decode(files.read(EXPORT_PATHS.manifest))));
    expect(manifest.practice.id).toBe(run.practiceId);
    const [appliance] = manifest.appliances;
    const bundles = utf8
      .decode(files.read(EXPORT_PATHS.bundles(appliance?.id ?? '')))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).bundle as { seq: number; kind?: string; status: string; checkId: string });
    const healed = run.healed[0]?.healing.bundle;
    expect(healed?.checkId).toBe('linux.sysctl.accept-redirects');
    expect(bundles).toContainEqual(expect.objectContaining({ seq: healed?.seq, kind: 'healing', status: 'pass' }));

    expect(contents.treeHead.treeSize).toBeGreaterThanOrEqual(healed?.seq ?? Number.POSITIVE_INFINITY);
    expect(contents.treeHead.tsaTime).not.toBeNull();
    expect(files.read(EXPORT_PATHS.tsaToken(contents.treeHead.treeSize))?.length).toBeGreaterThan(100);
    expect(run.treeHead.tsaToken).not.toBeNull();

    expect(contents.packets).toEqual([EXPORT_PATHS.packet(run.packetMonth)]);
    expect(utf8.decode(files.read(EXPORT_PATHS.packet(run.packetMonth))?.subarray(0, 5))).toBe('%PDF-');
  });

  it('reported every phase with its elapsed time and removed its lab hosts', async () => {
    for (const phase of ['system', 'checks', 'healing', 'tree head', 'packet', 'export', 'verify'])
      expect(
        lines.some((line) => new RegExp(`^\\[\\s*\\d+\\.\\d s\\] ${phase}: `).test(line)),
        phase,
      ).toBe(true);
    expect(lines.some((line) => line.includes(`attack "${DEFAULT_EXPORT_ATTACK}"`))).toBe(true);
    expect(run.kept).toBeNull();
    const running = (await lab.listHosts()).map((host) => host.info.name);
    for (const { hostname } of run.healed) expect(running).not.toContain(hostname);
  });

  it('fails verification naming the bundles file when one bundle line is changed', async () => {
    const { files } = await verifyZip(new Uint8Array(await readFile(outPath)));
    const path = files.paths().find((p) => p.endsWith('/bundles.jsonl')) as string;
    const jsonl = utf8.decode(files.read(path)).split('\n');
    const index = jsonl.findIndex((line) => line.includes('"status":"pass"'));
    expect(index).toBeGreaterThanOrEqual(0);
    jsonl[index] = (jsonl[index] as string).replace('"status":"pass"', '"status":"fail"');
    const tampered = new Map(files.paths().map((p) => [p, files.read(p) as Uint8Array]));
    tampered.set(path, new TextEncoder().encode(jsonl.join('\n')));

    const result = await verifyExport(exportFilesFromMap(tampered));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.failure.item).toContain(path);
  });

  it('refuses bad input with exit code 2 before building anything', async () => {
    expect(await exportCommand([])).toBe(2);
    expect(await exportCommand(['--out', join(dir, 'missing-dir', 'x.zip')])).toBe(2);
    expect(await exportCommand(['--out', dir])).toBe(2);
    expect(await exportCommand(['--out', join(dir, 'x.zip'), '--hosts', '0'])).toBe(2);
    expect(await exportCommand(['--out', join(dir, 'x.zip'), '--hosts', '6'])).toBe(2);
  });
});
