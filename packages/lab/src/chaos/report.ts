import type { ChaosReport } from './run';

const escapeText = (value: unknown): string => String(value ?? '—').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (value: number): string => `${Math.round(value * 1000) / 10} %`;

/** Detection and heal rate per attack category, as an inline SVG bar chart (no scripts, no CDN). */
function chart(report: ChaosReport): string {
  const categories = [...new Set(report.rows.map((r) => r.category))];
  const barWidth = 28;
  const groupWidth = barWidth * 2 + 24;
  const height = 160;
  const bars = categories.map((category, i) => {
    const rows = report.rows.filter((r) => r.category === category);
    const healable = rows.filter((r) => r.hasSafeRunbook);
    const detection = rows.length ? rows.filter((r) => r.detected).length / rows.length : 0;
    const heal = healable.length ? healable.filter((r) => r.healed).length / healable.length : 0;
    const x = 40 + i * groupWidth;
    const bar = (value: number, offset: number, colour: string, label: string) =>
      `<rect x="${x + offset}" y="${20 + height * (1 - value)}" width="${barWidth}" height="${height * value}" fill="${colour}"><title>${escapeText(category)} ${label}: ${pct(value)}</title></rect>`;
    return `${bar(detection, 0, '#2b6cb0', 'detected')}${healable.length ? bar(heal, barWidth + 2, '#2f855a', 'healed') : ''}<text x="${x + barWidth}" y="${height + 38}" font-size="11" text-anchor="middle">${escapeText(category)}</text>`;
  });
  const width = 60 + categories.length * groupWidth;
  return `<svg role="img" aria-label="Detection and heal rate by category" width="${width}" height="${height + 50}" xmlns="http://www.w3.org/2000/svg">
<line x1="36" y1="20" x2="36" y2="${height + 20}" stroke="#999"/><text x="32" y="26" font-size="10" text-anchor="end">100 %</text><text x="32" y="${height + 20}" font-size="10" text-anchor="end">0</text>
${bars.join('\n')}
</svg>`;
}

/** Healed or not; a row expected to escalate passes when L1's fix failed and never claimed a heal. */
function healedCell(r: ChaosReport['rows'][number]): string {
  if (r.expectsEscalation) {
    if (r.healed) return '<b>yes (unexpected: expected to escalate)</b>';
    return r.healFailed ? 'no: fix failed, escalated (expected)' : '<b>no healing attempt yet</b>';
  }
  return r.hasSafeRunbook ? (r.healed ? 'yes' : '<b>no</b>') : 'n/a';
}

/** A self-contained HTML page: the summary, a chart per category and every attack's row. */
export function renderChaosHtml(report: ChaosReport): string {
  const rows = report.rows.map(
    (r) =>
      `<tr><td>${r.round}</td><td>${escapeText(r.host)}</td><td>${escapeText(r.category)}</td><td>${escapeText(r.attackId)}</td><td>${escapeText(r.checkId)}</td><td>${r.detected ? 'yes' : '<b>no</b>'}</td><td>${escapeText(r.detectionLatencyMs)}</td><td>${healedCell(r)}</td><td>${escapeText(r.healTier)}</td><td>${escapeText(r.timeToHealMs)}</td><td>${r.evidenceVerified ? 'yes' : r.healed ? '<b>no</b>' : '—'}</td></tr>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OsirisCare chaos run</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.2rem .5rem;text-align:left}</style></head><body>
<h1>Chaos run ${escapeText(report.startedAt)}</h1>
<p>${report.hosts} host(s) × ${report.rounds} round(s), check interval ${report.intervalSeconds} s.
Detection ${pct(report.detectionRate)}; heal rate (attacks with a safe L1 runbook) ${pct(report.healRate)};
median time to heal ${escapeText(report.medianTimeToHealMs)} ms; evidence chain ${report.chainVerified ? 'verified' : '<b>NOT verified</b>'}.</p>
<p><span style="color:#2b6cb0">■</span> detected <span style="color:#2f855a">■</span> healed</p>
${chart(report)}
<table><thead><tr><th>Round</th><th>Host</th><th>Category</th><th>Attack</th><th>Check</th><th>Detected</th><th>Latency ms</th><th>Healed</th><th>Tier</th><th>Time to heal ms</th><th>Evidence</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></body></html>
`;
}
