import type { PacketContent } from './packet-content';
import { formatDuration } from './packet-month';
import { createPdfWriter, type PdfWriter } from './pdf-writer';

const DEFAULT_COLOR = '#1f4e79';
/** Image types PDFKit can place (a WebP logo is left out; the brand name still shows). */
const PLACEABLE = new Set(['image/png', 'image/jpeg']);

const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const percent = (score: number | null) => (score === null ? 'no score' : `${score.toFixed(1)}%`);
const statusLabel = (status: string) => status.replace('_', ' ');

function cover(w: PdfWriter, c: PacketContent, color: string): void {
  const { doc } = w;
  const logo = c.branding.logo;
  if (logo && PLACEABLE.has(logo.type)) {
    try {
      doc.image(logo.bytes, w.left, doc.y, { fit: [160, 70] });
      doc.y += 80;
    } catch {
      // An image PDFKit cannot read: the cover goes on with the brand name alone.
    }
  }
  doc.rect(w.left, doc.y, w.width, 6).fill(color);
  w.space(18);
  w.write(c.branding.brandName ?? c.partnerName, { font: 'bold', size: 24, color, gap: 10 });
  w.write('Monthly compliance packet', { size: 16, gap: 24 });
  w.write(c.practiceName, { font: 'bold', size: 20, gap: 6 });
  w.write(c.monthLabel, { size: 14, gap: 18 });
  w.write(`Prepared by ${c.partnerName}`, { gap: 3 });
  w.write(`Scores as of ${utc(c.scoredAt)} (end of month)`, { gap: 3 });
  w.write(`Generated ${utc(c.generatedAt)}`, { gap: 20 });
  w.write('Frameworks', { font: 'bold', size: 12, gap: 4 });
  if (c.frameworks.length === 0) w.write('No framework is selected for this practice.');
  for (const f of c.frameworks) w.write(`${f.name}: ${percent(f.score)}`, { size: 11, gap: 3 });
  w.space(16);
  w.write(
    'Contents: 1 Scores and trend - 2 Controls - 3 Incidents and fixes - 4 Exceptions - 5 Appliances - 6 Evidence index',
    {
      size: 8.5,
      color: '#555555',
    },
  );
}

function scores(w: PdfWriter, c: PacketContent, color: string): void {
  w.newPage();
  w.heading('1 Scores and trend', color);
  w.write(
    'Score = passing / (passing + failing + unknown) controls. Excepted, not assessed and unattested controls are counted apart. The trend shows the daily snapshots of the month.',
    { size: 8.5, color: '#555555', gap: 6 },
  );
  const days = new Date(Date.UTC(c.scoredAt.getUTCFullYear(), c.scoredAt.getUTCMonth() + 1, 0)).getUTCDate();
  for (const f of c.frameworks) {
    w.subheading(`${f.name}: ${percent(f.score)}`);
    const n = f.counts;
    w.write(
      `Controls: ${n.passing} passing, ${n.failing} failing, ${n.unknown} unknown, ${n.excepted} excepted, ${n.notAssessed} not assessed, ${n.unattested} unattested. Daily snapshots: ${f.history.length}.`,
      { size: 8.5 },
    );
    if (f.history.length === 0) w.write('No daily snapshot this month.', { size: 8.5, color: '#777777', gap: 8 });
    else
      w.lineChart(
        f.history.map((h) => ({ day: Number(h.day.slice(8, 10)), value: h.score })),
        days,
        color,
      );
  }
}

function controls(w: PdfWriter, c: PacketContent, color: string): void {
  w.newPage();
  w.heading('2 Controls', color);
  w.write('Evidence counts are host x check items as of the end of the month.', {
    size: 8.5,
    color: '#555555',
    gap: 6,
  });
  for (const f of c.frameworks) {
    w.subheading(`${f.name} (${f.controls.length} controls)`);
    w.table(
      [
        { header: 'Control', width: 0.15 },
        { header: 'Title', width: 0.39 },
        { header: 'Status', width: 0.14 },
        { header: 'Pass', width: 0.07, align: 'right' },
        { header: 'Fail', width: 0.07, align: 'right' },
        { header: 'Unknown', width: 0.09, align: 'right' },
        { header: 'Excepted', width: 0.09, align: 'right' },
      ],
      f.controls.map((k) => [
        k.id,
        k.title,
        statusLabel(k.status) + (k.manual ? ' (manual)' : ''),
        String(k.items.pass),
        String(k.items.fail),
        String(k.items.unknown),
        String(k.items.excepted),
      ]),
      color,
    );
  }
}

function incidents(w: PdfWriter, c: PacketContent, color: string): void {
  w.heading('3 Incidents and fixes', color);
  const h = c.healing;
  if (h.attempts.length === 0) {
    w.write('No healing attempt this month.', { gap: 8 });
    return;
  }
  w.write(`${h.attempts.length} healing attempts. Median time to heal: ${formatDuration(h.medianMs)}.`, { gap: 6 });
  w.table(
    [
      { header: 'Tier', width: 0.16 },
      { header: 'Attempts', width: 0.14, align: 'right' },
      { header: 'Healed', width: 0.14, align: 'right' },
      { header: 'Failed', width: 0.14, align: 'right' },
      { header: 'Other', width: 0.14, align: 'right' },
      { header: 'Median time to heal', width: 0.28, align: 'right' },
    ],
    h.byTier.map((t) => [
      t.tier,
      String(t.attempts),
      String(t.healed),
      String(t.failed),
      String(t.other),
      formatDuration(t.medianMs),
    ]),
    color,
  );
  w.table(
    [
      { header: 'Finished', width: 0.15 },
      { header: 'Host', width: 0.09 },
      { header: 'Check', width: 0.24 },
      { header: 'Tier', width: 0.06 },
      { header: 'Runbook', width: 0.26 },
      { header: 'Outcome', width: 0.1 },
      { header: 'Duration', width: 0.1, align: 'right' },
    ],
    h.attempts.map((a) => [
      utc(a.finishedAt),
      a.hostname,
      a.checkId,
      a.tier,
      a.runbook ?? '-',
      a.outcome,
      formatDuration(a.durationMs),
    ]),
    color,
  );
}

function exceptions(w: PdfWriter, c: PacketContent, color: string): void {
  w.heading('4 Exceptions', color);
  if (c.exceptions.length === 0) {
    w.write('No exception was in force this month.', { gap: 8 });
    return;
  }
  w.table(
    [
      { header: 'Scope', width: 0.2 },
      { header: 'Reason', width: 0.3 },
      { header: 'In force', width: 0.2 },
      { header: 'Requested by', width: 0.15 },
      { header: 'Approved by', width: 0.15 },
    ],
    c.exceptions.map((e) => [
      `${e.scope} (${e.siteName}; ${e.state})`,
      e.reason,
      `${utc(e.startsAt)} to ${utc(e.endsAt)}`,
      e.requester ?? '(removed user)',
      e.approver ?? '(removed user)',
    ]),
    color,
  );
}

function appliances(w: PdfWriter, c: PacketContent, color: string): void {
  w.heading('5 Appliances', color);
  if (c.appliances.length === 0) w.write('No appliance was registered by the end of the month.', { gap: 8 });
  for (const a of c.appliances) {
    w.write(`${a.hostname} (site ${a.siteName}): registered ${utc(a.registeredAt)}, now ${a.status}`, {
      font: 'bold',
      gap: 1,
    });
    w.write(`id ${a.id}`, { font: 'mono', size: 8, gap: 1 });
    w.write(`key SHA-256 ${a.fingerprint}`, { font: 'mono', size: 8, gap: 8 });
  }
}

function evidenceIndex(w: PdfWriter, c: PacketContent, color: string): void {
  w.heading('6 Evidence index', color);
  w.write(
    'Bundles received this month per appliance: every bundle names the hash of the one before it, so the first and last hashes pin the whole range.',
    { size: 8.5, color: '#555555', gap: 6 },
  );
  const line = (label: string, at: { seq: string; hash: string } | null) =>
    w.write(`${label.padEnd(11)} ${at ? `seq ${at.seq.padEnd(8)} ${at.hash}` : '-'}`, {
      font: 'mono',
      size: 8,
      gap: 1,
    });
  for (const a of c.appliances) {
    w.write(`${a.hostname}: ${a.evidence.count} bundles this month`, { font: 'bold', gap: 2 });
    line('first', a.evidence.first);
    line('last', a.evidence.last);
    line('chain head', a.evidence.head);
    w.space(6);
  }
  w.subheading('Signed tree head');
  const head = c.treeHead;
  if (head === 'absent') w.write('no tree head yet');
  else if (head === 'none') w.write("No signed tree head covers this month's bundles yet.");
  else {
    const field = (label: string, value: string) =>
      w.write(`${label.padEnd(11)} ${value}`, { font: 'mono', size: 8, gap: 1 });
    field('tree size', head.tree_size);
    field('root hash', head.root_hash.replace(/^\\x/, ''));
    field('issued', utc(new Date(head.issued_at)));
    field('key id', head.key_id);
    field('TSA time', head.tsa_time ? utc(new Date(head.tsa_time)) : '-');
    field('signature', head.signature.replace(/^\\x/, ''));
  }
}

/** Lays out a packet as an A4 PDF; returns its bytes and page count. */
export function renderPacketPdf(c: PacketContent): Promise<{ pdf: Buffer; pages: number }> {
  const color = c.branding.color && /^#[0-9a-fA-F]{6}$/.test(c.branding.color) ? c.branding.color : DEFAULT_COLOR;
  const brand = c.branding.brandName ?? c.partnerName;
  const w = createPdfWriter({
    title: `${c.practiceName} - compliance packet ${c.monthLabel}`,
    author: brand,
    subject: `Monthly compliance packet for ${c.month}`,
    createdAt: c.generatedAt,
  });
  cover(w, c, color);
  scores(w, c, color);
  controls(w, c, color);
  w.newPage();
  incidents(w, c, color);
  exceptions(w, c, color);
  appliances(w, c, color);
  evidenceIndex(w, c, color);
  return w.finish(`${c.practiceName} - ${c.monthLabel} compliance packet - ${brand}`);
}
