/** Longest-common-subsequence tables above this many cells fall back to a set difference. */
const MAX_LCS_CELLS = 4_000_000;

/**
 * A line diff of captured state: `- line` for lines only before, `+ line` for lines only after, in
 * order. No context lines: the full before and after are stored next to it.
 */
export function diffLines(before: string, after: string): string[] {
  const a = before.split('\n').filter((line) => line !== '');
  const b = after.split('\n').filter((line) => line !== '');
  if (a.length * b.length > MAX_LCS_CELLS) {
    const inA = new Set(a);
    const inB = new Set(b);
    return [
      ...a.filter((line) => !inB.has(line)).map((l) => `- ${l}`),
      ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`),
    ];
  }
  // lcs[i][j]: length of the common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      const below = lcs[i + 1] as number[];
      row[j] = a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if ((lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  while (i < a.length) out.push(`- ${a[i++]}`);
  while (j < b.length) out.push(`+ ${b[j++]}`);
  return out;
}
