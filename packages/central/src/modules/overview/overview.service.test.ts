import { describe, expect, it } from 'vitest';
import { frameworkCompliance } from './overview.service';

describe('compliance by framework', () => {
  it("averages the sites' newest snapshot scores per framework and sums their control counts", () => {
    const counts = (passing: number, failing: number, unknown: number) => ({ passing, failing, unknown, excepted: 0 });
    const rows = frameworkCompliance([
      { framework: 'soc2', score: 50, counts: counts(5, 5, 0) },
      { framework: 'hipaa', score: 80, counts: counts(8, 1, 1) },
      { framework: 'hipaa', score: 65, counts: counts(13, 5, 2) },
      { framework: 'hipaa', score: null, counts: counts(0, 0, 0) },
    ]);
    // In the frameworks' own order, only frameworks some site has.
    expect(rows.map((r) => r.framework)).toEqual(['hipaa', 'soc2']);
    expect(rows[0]).toEqual({
      framework: 'hipaa',
      label: expect.stringContaining('HIPAA'),
      sites: 2,
      passing: 21,
      failing: 6,
      other: 3,
      percent: 72.5,
    });
    expect(rows[1]).toMatchObject({ sites: 1, percent: 50 });
  });
});
