import {
  EXPORT_PATHS,
  type ExportFiles,
  ExportManifest,
  type ExportVerifyResult,
  ExportTreeHead,
  unzipExport,
  verifyExport,
} from '@osiris/protocol';
import { z } from 'zod';

/** What the export holds, read from its files (independently of the verifier's own summary). */
export interface ExportContents {
  practiceName: string;
  period: { from: string; to: string };
  appliances: number;
  /** Bundles by kind: `check` (check runs) and `healing` (healing attempts). */
  bundles: { check: number; healing: number };
  /** The last tree head (every inclusion proof is against it). */
  treeHead: { treeSize: number; issuedAt: string; tsaTime: string | null };
  tsaTokens: string[];
  packets: string[];
  /** The export carries the TSA trust list (tsa/trusted-certs.pem) the verifier checks tokens against. */
  hasTsaTrust: boolean;
  files: number;
}

const BundleLine = z.object({ bundle: z.object({ kind: z.literal('healing').optional() }) });
const utf8 = new TextDecoder('utf-8', { fatal: true });

function readText(files: ExportFiles, path: string): string {
  const bytes = files.read(path);
  if (!bytes) throw new Error(`the export has no ${path}`);
  return utf8.decode(bytes);
}

export function readExportContents(files: ExportFiles): ExportContents {
  const manifest = ExportManifest.parse(JSON.parse(readText(files, EXPORT_PATHS.manifest)));
  const heads = z
    .array(ExportTreeHead)
    .min(1)
    .parse(JSON.parse(readText(files, EXPORT_PATHS.treeHeads)));
  const last = heads.at(-1) as ExportTreeHead;
  const bundles = { check: 0, healing: 0 };
  for (const appliance of manifest.appliances)
    for (const line of readText(files, EXPORT_PATHS.bundles(appliance.id)).split('\n')) {
      if (line === '') continue;
      const { bundle } = BundleLine.parse(JSON.parse(line));
      bundles[bundle.kind === 'healing' ? 'healing' : 'check'] += 1;
    }
  const paths = files.paths();
  return {
    practiceName: manifest.practice.name,
    period: manifest.period,
    appliances: manifest.appliances.length,
    bundles,
    treeHead: { treeSize: last.treeSize, issuedAt: last.issuedAt, tsaTime: last.tsaTime },
    tsaTokens: paths.filter((p) => p.startsWith('tsa/') && p.endsWith('.tst')).sort(),
    packets: paths.filter((p) => p.startsWith('packets/') && p.endsWith('.pdf')).sort(),
    hasTsaTrust: paths.includes(EXPORT_PATHS.tsaTrust),
    files: paths.length,
  };
}

/** verifyExport(unzipExport(zip)): what `osiris-verify` and the browser verifier run. */
export async function verifyZip(zip: Uint8Array): Promise<{ files: ExportFiles; result: ExportVerifyResult }> {
  const files = unzipExport(zip);
  return { files, result: await verifyExport(files) };
}

/** The verifier's failure as one line: which item, at which step, and why. */
export function describeFailure(result: ExportVerifyResult): string {
  return result.ok ? 'ok' : `${result.failure.item}: ${result.failure.message} (step: ${result.failure.step})`;
}

const shellQuote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

export function formatSummary(params: {
  outPath: string;
  sizeBytes: number;
  contents: ExportContents;
  result: ExportVerifyResult;
  elapsedMs: number;
}): string {
  const { contents: c, result } = params;
  const packets = c.packets.map((p) => p.replace(/^packets\/|\.pdf$/g, '')).join(', ') || 'none';
  return [
    `Auditor export written: ${params.outPath} (${(params.sizeBytes / 1024).toFixed(1)} KiB, ${c.files} files)`,
    `  practice:    ${c.practiceName}, period ${c.period.from} .. ${c.period.to}`,
    `  evidence:    ${c.bundles.check + c.bundles.healing} signed bundles from ${c.appliances} appliance(s): ` +
      `${c.bundles.check} check results, ${c.bundles.healing} healing attempts`,
    `  tree head:   size ${c.treeHead.treeSize}, signed ${c.treeHead.issuedAt}, ` +
      `time-stamped ${c.treeHead.tsaTime ?? 'no'} (${c.tsaTokens.length} RFC 3161 token(s))`,
    `  packets:     ${packets}`,
    `  verified:    ${result.ok ? 'yes' : `NO: ${describeFailure(result)}`} (${result.steps.length} steps)`,
    ...result.summary.warnings.map((w) => `  warning:     ${w}`),
    `  took ${(params.elapsedMs / 1000).toFixed(1)} s`,
    '',
    `Verify it yourself (offline${c.hasTsaTrust ? '; the TSA trust list is inside the export' : ''}):`,
    `  npx osiris-verify ${shellQuote(params.outPath)}`,
  ].join('\n');
}
