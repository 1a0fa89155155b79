import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/** A4 in points, and the space kept for the footer. */
const MARGIN = 48;
const FOOTER_SPACE = 40;
const require = createRequire(import.meta.url);
/** Fonts embedded (subset) in every packet: Inter and Roboto Mono, latin glyphs (OFL-1.1, from @fontsource). */
const fontFiles = () => ({
  regular: require.resolve('@fontsource/inter/files/inter-latin-400-normal.woff'),
  bold: require.resolve('@fontsource/inter/files/inter-latin-700-normal.woff'),
  mono: require.resolve('@fontsource/roboto-mono/files/roboto-mono-latin-400-normal.woff'),
});
type Font = keyof ReturnType<typeof fontFiles>;
const FONTS: Record<Font, string> = { regular: 'packet-regular', bold: 'packet-bold', mono: 'packet-mono' };

export interface Column {
  header: string;
  /** Share of the content width. */
  width: number;
  font?: Font;
  align?: 'left' | 'right';
}

/**
 * The embedded fonts hold the latin glyphs (Latin-1, general punctuation, the euro sign): any other
 * character, or a control character, becomes `?` rather than an empty box.
 */
function pdfText(value: string): string {
  return value.replace(/[^\x20-\x7e\xa0-\xff\u2010-\u2027\u2030-\u205e\u20ac\u2122]/g, '?');
}

/**
 * A thin layer over PDFKit for reports: A4 pages with margins, headings, paragraphs, tables that
 * repeat their header across pages, a small line chart in vector graphics, and a footer with page
 * numbers added once the page count is known. All text is real text in embedded fonts.
 */
export function createPdfWriter(meta: { title: string; author: string; subject: string; createdAt: Date }) {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: FOOTER_SPACE + 8 },
    bufferPages: true,
    info: {
      Title: pdfText(meta.title),
      Author: pdfText(meta.author),
      Subject: pdfText(meta.subject),
      CreationDate: meta.createdAt,
    },
  });
  for (const [font, file] of Object.entries(fontFiles()) as [Font, string][])
    doc.registerFont(FONTS[font], readFileSync(file));
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - FOOTER_SPACE - 8;

  function ensureSpace(height: number): void {
    if (doc.y + height > bottom()) doc.addPage();
  }

  function write(text: string, options: { font?: Font; size?: number; color?: string; gap?: number } = {}) {
    doc
      .font(FONTS[options.font ?? 'regular'])
      .fontSize(options.size ?? 9.5)
      .fillColor(options.color ?? '#222222');
    const value = pdfText(text);
    ensureSpace(doc.heightOfString(value, { width }));
    doc.text(value, MARGIN, doc.y, { width });
    doc.y += options.gap ?? 2;
  }

  function headerRow(columns: Column[], color: string) {
    doc.font(FONTS.bold).fontSize(8);
    const height =
      Math.max(...columns.map((c) => doc.heightOfString(pdfText(c.header), { width: c.width * width - 6 }))) + 6;
    ensureSpace(height + 14);
    const y = doc.y;
    doc.rect(MARGIN, y, width, height).fill(color);
    let x = MARGIN;
    for (const c of columns) {
      doc
        .fillColor('#ffffff')
        .text(pdfText(c.header), x + 3, y + 3, { width: c.width * width - 6, align: c.align ?? 'left' });
      x += c.width * width;
    }
    doc.y = y + height;
  }

  return {
    doc,
    width,
    left: MARGIN,
    ensureSpace,
    write,
    space(points: number) {
      doc.y += points;
    },
    heading(text: string, color: string) {
      ensureSpace(60);
      doc.y += 6;
      write(text, { font: 'bold', size: 14, color, gap: 4 });
      doc
        .moveTo(MARGIN, doc.y)
        .lineTo(MARGIN + width, doc.y)
        .lineWidth(0.8)
        .strokeColor(color)
        .stroke();
      doc.y += 6;
    },
    subheading(text: string) {
      ensureSpace(40);
      doc.y += 4;
      write(text, { font: 'bold', size: 11, gap: 3 });
    },
    newPage() {
      doc.addPage();
    },
    /** Rows of text cells under a coloured header, repeated on each new page. */
    table(columns: Column[], rows: string[][], color: string) {
      headerRow(columns, color);
      rows.forEach((row, index) => {
        const cells = columns.map((c, i) => ({ c, text: pdfText(row[i] ?? '') }));
        const height =
          Math.max(
            ...cells.map(({ c, text }) => {
              doc.font(FONTS[c.font ?? 'regular']).fontSize(8);
              return doc.heightOfString(text, { width: c.width * width - 6 });
            }),
          ) + 5;
        if (doc.y + height > bottom()) {
          doc.addPage();
          headerRow(columns, color);
        }
        const y = doc.y;
        if (index % 2 === 1) doc.rect(MARGIN, y, width, height).fill('#f2f4f7');
        let x = MARGIN;
        for (const { c, text } of cells) {
          doc
            .font(FONTS[c.font ?? 'regular'])
            .fontSize(8)
            .fillColor('#222222')
            .text(text, x + 3, y + 2.5, { width: c.width * width - 6, align: c.align ?? 'left' });
          x += c.width * width;
        }
        doc.y = y + height;
      });
      doc.x = MARGIN;
      doc.y += 6;
    },
    /**
     * A line chart of percentages (0–100) over the days `1..days`, drawn with vector paths; days
     * without a value break the line.
     */
    lineChart(points: { day: number; value: number | null }[], days: number, color: string) {
      const height = 80;
      const axis = 24;
      ensureSpace(height + 24);
      const top = doc.y + 4;
      const plotLeft = MARGIN + axis;
      const plotWidth = width - axis;
      const xOf = (day: number) => plotLeft + ((day - 1) / Math.max(days - 1, 1)) * plotWidth;
      const yOf = (value: number) => top + height - (value / 100) * height;
      doc.font(FONTS.regular).fontSize(7).fillColor('#666666');
      for (const value of [0, 50, 100]) {
        doc
          .moveTo(plotLeft, yOf(value))
          .lineTo(plotLeft + plotWidth, yOf(value))
          .lineWidth(0.4)
          .strokeColor('#cccccc')
          .stroke();
        doc.text(`${value}%`, MARGIN, yOf(value) - 3, { width: axis - 4, align: 'right', lineBreak: false });
      }
      for (const day of [1, Math.ceil(days / 2), days])
        doc.text(String(day), xOf(day) - 10, top + height + 3, { width: 20, align: 'center', lineBreak: false });
      let drawing = false;
      for (const p of points) {
        if (p.value === null) {
          drawing = false;
          continue;
        }
        if (drawing) doc.lineTo(xOf(p.day), yOf(p.value));
        else doc.moveTo(xOf(p.day), yOf(p.value));
        drawing = true;
      }
      doc.lineWidth(1.4).strokeColor(color).stroke();
      for (const p of points) if (p.value !== null) doc.circle(xOf(p.day), yOf(p.value), 1.8).fill(color);
      doc.x = MARGIN;
      doc.y = top + height + 16;
    },
    /** Adds the footer to every page and returns the finished PDF with its page count. */
    async finish(footer: string): Promise<{ pdf: Buffer; pages: number }> {
      const range = doc.bufferedPageRange();
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i);
        const saved = doc.page.margins.bottom;
        doc.page.margins.bottom = 0;
        const y = doc.page.height - FOOTER_SPACE + 8;
        doc
          .moveTo(MARGIN, y - 6)
          .lineTo(MARGIN + width, y - 6)
          .lineWidth(0.4)
          .strokeColor('#999999')
          .stroke();
        doc.font(FONTS.regular).fontSize(7.5).fillColor('#555555');
        doc.text(pdfText(footer), MARGIN, y, { width: width - 90, lineBreak: false });
        doc.text(`Page ${i - range.start + 1} of ${range.count}`, MARGIN + width - 90, y, {
          width: 90,
          align: 'right',
          lineBreak: false,
        });
        doc.page.margins.bottom = saved;
      }
      doc.end();
      return { pdf: await done, pages: range.count };
    },
  };
}

export type PdfWriter = ReturnType<typeof createPdfWriter>;
