/** What the status page shows; built by the daemon on each request. */
export interface StatusSnapshot {
  applianceId: string;
  siteId: string;
  centralUrl: string;
  publicKey: string;
  startedAt: string;
  clockOffsetMs: number;
  sync: {
    lastCheckinAt: string | null;
    lastCheckinError: string | null;
    lastUploadAt: string | null;
    lastUploadError: string | null;
    uploadFailures: number;
    nextUploadAttemptAt: string | null;
  };
  queues: {
    evidenceOutbox: number;
    chainHeadSeq: number;
    unreportedOrders: number;
    escalations: number;
    proofs: { count: number; lastSeq: number; treeSize: number };
  };
  healing: { tier: string; dryRun: boolean; openIncidents: number };
  scheduler: { jobs: number; running: number; hosts: number; completedRuns: number };
  targets: { hostId: string; hostname: string; kind: string; lastError: string | null }[];
  results: { hostId: string; hostname: string; checkId: string; status: string; reason: string; finishedAt: string }[];
  securityEvents: { at: string; message: string }[];
}

const escapeHtml = (value: unknown): string => String(value ?? '—').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const row = (cells: unknown[]) => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;

const table = (head: string[], rows: string[]) =>
  rows.length === 0
    ? '<p class="empty">None yet.</p>'
    : `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;

/** Plain HTML, no scripts: every value escaped; refreshes itself every 15 s. */
export function renderStatusHtml(s: StatusSnapshot): string {
  const counts = new Map<string, Record<string, number>>();
  for (const r of s.results) {
    const c = counts.get(r.hostId) ?? {};
    c[r.status] = (c[r.status] ?? 0) + 1;
    counts.set(r.hostId, c);
  }
  const targets = s.targets.map((t) => {
    const c = counts.get(t.hostId) ?? {};
    return row([t.hostname, t.kind, t.lastError ?? 'ok', c.pass ?? 0, c.fail ?? 0, c.error ?? 0]);
  });
  const results = s.results.map((r) => row([r.hostname, r.checkId, r.status, r.reason, r.finishedAt]));
  const events = s.securityEvents.map((e) => row([e.at, e.message]));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OsirisCare appliance</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1a1a1a}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#555}
.empty{color:#777}
</style></head><body>
<h1>OsirisCare appliance</h1>
<h2>Identity</h2>
<dl>
<dt>Appliance</dt><dd>${escapeHtml(s.applianceId)}</dd>
<dt>Site</dt><dd>${escapeHtml(s.siteId)}</dd>
<dt>Central</dt><dd>${escapeHtml(s.centralUrl)}</dd>
<dt>Identity public key</dt><dd><code>${escapeHtml(s.publicKey)}</code></dd>
<dt>Running since</dt><dd>${escapeHtml(s.startedAt)}</dd>
</dl>
<h2>Sync</h2>
<dl>
<dt>Last check-in</dt><dd>${escapeHtml(s.sync.lastCheckinAt ?? 'never')}${s.sync.lastCheckinError ? ` — failing: ${escapeHtml(s.sync.lastCheckinError)}` : ''}</dd>
<dt>Clock offset to central</dt><dd>${escapeHtml(s.clockOffsetMs)} ms</dd>
<dt>Evidence waiting to upload</dt><dd>${escapeHtml(s.queues.evidenceOutbox)} (chain head seq ${escapeHtml(s.queues.chainHeadSeq)})</dd>
<dt>Last upload</dt><dd>${escapeHtml(s.sync.lastUploadAt ?? 'never')}${s.sync.lastUploadError ? ` — failing (${escapeHtml(s.sync.uploadFailures)}×): ${escapeHtml(s.sync.lastUploadError)}; next try ${escapeHtml(s.sync.nextUploadAttemptAt)}` : ''}</dd>
<dt>Evidence proven in central's log</dt><dd>${escapeHtml(s.queues.proofs.count)} bundles (through seq ${escapeHtml(s.queues.proofs.lastSeq)}, tree size ${escapeHtml(s.queues.proofs.treeSize)})</dd>
<dt>Order results to report</dt><dd>${escapeHtml(s.queues.unreportedOrders)}</dd>
<dt>Healing</dt><dd>tier ${escapeHtml(s.healing.tier)}${s.healing.dryRun ? ' (dry run)' : ''}; ${escapeHtml(s.healing.openIncidents)} open incidents; ${escapeHtml(s.queues.escalations)} escalations waiting for central</dd>
<dt>Scheduler</dt><dd>${escapeHtml(s.scheduler.jobs)} jobs on ${escapeHtml(s.scheduler.hosts)} hosts, ${escapeHtml(s.scheduler.running)} running, ${escapeHtml(s.scheduler.completedRuns)} runs done</dd>
</dl>
<h2>Hosts</h2>
${table(['Host', 'Target', 'Connection', 'Pass', 'Fail', 'Error'], targets)}
<h2>Security events</h2>
${table(['When', 'What'], events)}
<h2>Last results</h2>
${table(['Host', 'Check', 'Status', 'Why', 'Finished'], results)}
</body></html>
`;
}
