import { canonicalJson, EXPORT_PATHS, type ExportApplianceEntry, type ExportTreeHead } from '@osiris/protocol';

export interface ReadmeInput {
  practiceName: string;
  createdAt: string;
  /** Who asked for the export, as the audit log names them. */
  createdBy: string;
  period: { from: string; to: string };
  keyId: string;
  heads: ExportTreeHead[];
  appliances: ExportApplianceEntry[];
  packets: string[];
  hasTsaTrust: boolean;
}

const TREE_HEAD_PREFIX = 'osiriscare-tree-head-v1:';

/** The exact bytes a head's RFC 3161 token is over (its SHA-256 is the token's message imprint). */
function headSigningInput(head: ExportTreeHead): string {
  const { treeSize, rootHash, issuedAt, keyId } = head;
  return TREE_HEAD_PREFIX + canonicalJson({ treeSize, rootHash, issuedAt, keyId });
}

function tsaSection(input: ReadmeInput): string[] {
  const stamped = input.heads.filter((h) => h.tsaTime !== null);
  if (stamped.length === 0)
    return [
      'None of the tree heads in this export has an RFC 3161 timestamp (central had no time-stamping',
      'authority configured, or none answered), so there is no `tsa/` token to cross-check.',
    ];
  const trust = input.hasTsaTrust ? EXPORT_PATHS.tsaTrust : '<the TSA certificate or CA you trust>';
  const lines = [
    `${stamped.length} tree head(s) carry a timestamp token from an outside time-stamping authority (TSA).`,
    'You can check each token with OpenSSL, independently of OsirisCare. The token is over the',
    "SHA-256 of the head's signing input, a single line of text with no trailing newline. For the",
    'head of size N, write that line to a file and verify the token against it:',
    '',
    '```sh',
    `printf '%s' '<signing input of head N, listed below>' > head-N.txt`,
    `openssl ts -verify -data head-N.txt -in tsa/N.tst -token_in -CAfile ${trust}`,
    '```',
    '',
    'OpenSSL prints `Verification: OK` when the token is genuine, unaltered, issued for exactly that',
    'head and signed by a certificate the trust file vouches for. To see when the TSA says it signed',
    '(genTime), run `openssl ts -reply -in tsa/N.tst -token_in -text`.',
    input.hasTsaTrust
      ? `\`${EXPORT_PATHS.tsaTrust}\` is the trust list central was configured with; you may prefer to obtain the TSA's certificate from the TSA itself.`
      : 'This export does not include a TSA trust list: obtain the TSA certificate from the TSA itself.',
    '',
    'Signing inputs of the timestamped heads:',
    '',
    '```',
    ...stamped.map((h) => `${h.treeSize}: ${headSigningInput(h)}`),
    '```',
  ];
  return lines;
}

function fileTable(input: ReadmeInput): string[] {
  return [
    '| file | what it is |',
    '|---|---|',
    `| \`${EXPORT_PATHS.manifest}\` | the manifest: practice, period, tree size, one entry per appliance (seq range and count), packet months, and the SHA-256 of every other file |`,
    `| \`${EXPORT_PATHS.manifestSignature}\` | Ed25519 signature of the manifest by the log key (base64url) |`,
    `| \`${EXPORT_PATHS.logKey}\` | the public log key that signs tree heads, registrations and this manifest |`,
    `| \`${EXPORT_PATHS.treeHeads}\` | signed tree heads of the transparency log, ascending; the last one is the head every inclusion proof is against |`,
    `| \`${EXPORT_PATHS.consistency}\` | a consistency proof between each consecutive pair of tree heads (the log was only appended to) |`,
    '| `tsa/<size>.tst` | the RFC 3161 timestamp token (DER) of the tree head of that size, when it has one |',
    ...(input.hasTsaTrust
      ? [`| \`${EXPORT_PATHS.tsaTrust}\` | the certificates central trusts to sign timestamp tokens (PEM) |`]
      : []),
    "| `appliances/<id>/registration.json` | the appliance's registered public key and its fingerprint, signed by the log key |",
    "| `appliances/<id>/bundles.jsonl` | the appliance's signed evidence bundles of the period, one per line, seq ascending without gaps |",
    '| `appliances/<id>/proofs.jsonl` | the inclusion proof of each bundle against the last tree head, same order |',
    '| `packets/<YYYY-MM>.pdf` | the monthly compliance packets of the period, exactly as stored when they were made |',
    `| \`${EXPORT_PATHS.readme}\` | this file |`,
  ];
}

/** README.md of an auditor export: what it is, how to verify it, what each file is. */
export function renderExportReadme(input: ReadmeInput): string {
  const bundles = input.appliances.reduce((sum, a) => sum + a.bundleCount, 0);
  const last = input.heads.at(-1);
  const lines = [
    `# OsirisCare evidence export: ${input.practiceName}`,
    '',
    'This archive holds the compliance evidence OsirisCare recorded for this practice, with',
    'everything needed to check it offline: no access to OsirisCare is needed to verify it.',
    '',
    `- Practice: ${input.practiceName}`,
    `- Period: evidence that finished from ${input.period.from} (inclusive) to ${input.period.to} (exclusive)`,
    `- Made: ${input.createdAt} by OsirisCare Central, at the request of ${input.createdBy}`,
    `- Appliances: ${input.appliances.length}; evidence bundles: ${bundles}`,
    `- Signed tree heads: ${input.heads.length}; the last one has tree size ${last?.treeSize ?? '?'}`,
    `- Monthly compliance packets: ${input.packets.length === 0 ? 'none' : input.packets.join(', ')}`,
    `- Log key id: ${input.keyId}`,
    '',
    'Only bundles already covered by the last signed tree head are included: a bundle that',
    'finished near the end of the period may follow in a later export.',
    '',
    '## How to verify',
    '',
    'Use osiris-verify, which needs Node.js 20 or later and no server. It is the `packages/verify`',
    'package of the OsirisCare source; from a checkout run `npx osiris-verify <file>`, or build the',
    'single-file tool once (`npm run build -w osiris-verify`) and run it anywhere:',
    '',
    '```sh',
    'node osiris-verify.mjs <this-file>.zip',
    '```',
    '',
    'It stops at the first item that does not hold and names it. It checks that:',
    '',
    '1. every file is present and its SHA-256 matches the manifest, and the manifest is signed by the log key;',
    '2. each appliance registration is signed by the log key, and its fingerprint matches its public key;',
    "3. every evidence bundle's hash is right and its signature was made by the registered appliance key;",
    "4. each appliance's bundles form an unbroken chain (seq + 1, prevHash = the previous bundle's hash);",
    '5. every tree head is signed by the log key, and consecutive heads are consistent (append-only log);',
    '6. every bundle is included in the last tree head (Merkle inclusion proof);',
    '7. each timestamp token is valid for its tree head and signed by a trusted time-stamping authority.',
    '',
    "Each appliance's bundles here are one stretch of its chain: the first one links, by its prevHash,",
    'to the last bundle before the period (`firstPrevHash` in the manifest; 64 zeros when the chain',
    'starts here), so consecutive exports join up.',
    '',
    'The log key signs everything central vouches for. Compare its key id',
    `(\`${input.keyId}\`) with the one OsirisCare publishes (\`GET /v1/transparency/log-key\`) or that`,
    'you noted from an earlier export: a different key means a different signer.',
    '',
    'The exact formats and checks are described in `docs/evidence-format.md` of the OsirisCare',
    'source, so that a verifier can be written independently.',
    '',
    '## Cross-checking a timestamp with OpenSSL',
    '',
    ...tsaSection(input),
    '',
    '## Files',
    '',
    ...fileTable(input),
    '',
  ];
  return lines.join('\n');
}
