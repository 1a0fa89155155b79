import { commandProblem, evaluation, type PlatformCheck, single } from '../check';

const EXPECTED = 'No recommended software updates pending';

/** Labels of the updates `softwareupdate -l` lists ("* Label: …" lines; older releases "   * …"). */
function parseSoftwareUpdateList(text: string): { labels: string[]; recommended: number } {
  const labels = [...text.matchAll(/^\s*\* (?:Label: )?(.+)$/gm)].map((m) => (m[1] ?? '').trim());
  const recommended = [...text.matchAll(/Recommended: YES/g)].length;
  return { labels, recommended };
}

export const macosUpdates: PlatformCheck = {
  collect: single('softwareupdate', 'softwareupdate', ['-l'], 180_000),
  evaluate(collected) {
    const output = collected.softwareupdate;
    const problem = commandProblem(output, 'softwareupdate -l', EXPECTED);
    if (problem) return problem;
    // "No new software available." goes to stderr.
    const text = `${output?.stdout ?? ''}\n${output?.stderr ?? ''}`;
    const { labels, recommended } = parseSoftwareUpdateList(text);
    const observed = { pending_updates: String(labels.length), recommended_updates: String(recommended) };
    if (labels.length === 0 && /No new software available/.test(text)) {
      return evaluation('PASS', EXPECTED, 'no new software available', observed);
    }
    if (labels.length === 0) {
      return {
        ...evaluation(
          'ERROR',
          EXPECTED,
          'softwareupdate printed neither updates nor "No new software available"',
          observed,
        ),
        error: { code: 'UNPARSEABLE_OUTPUT', message: 'unrecognised softwareupdate output' },
      };
    }
    return evaluation('FAIL', EXPECTED, `${labels.length} updates pending: ${labels.slice(0, 5).join(', ')}`, observed);
  },
};
