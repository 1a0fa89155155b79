import type { Evaluation } from '../../check';
import { capList } from './collector-output';
import { algorithmList, type SshdFacts, matchNote } from './sshd-config';

/** Judges an sshd -T algorithm list: every entry for which `isWeak` holds is a finding. */
export function judgeAlgorithms(
  facts: SshdFacts,
  keyword: string,
  label: string,
  isWeak: (algorithm: string) => boolean,
  requirement: string,
): Evaluation {
  const list = algorithmList(facts.values.get(keyword) ?? '');
  const weak = list.filter(isWeak);
  const observed = { [keyword]: capList(list), weak: capList(weak) };
  if (list.length === 0) {
    return { status: 'error', reason: `Cannot judge the sshd configuration: its ${label} list is empty.`, observed };
  }
  return weak.length === 0
    ? { status: 'pass', reason: `sshd offers only ${requirement} ${label}${matchNote(facts)}.`, observed }
    : {
        status: 'fail',
        reason: `sshd offers weak ${label}: ${weak.slice(0, 5).join(', ')}${weak.length > 5 ? ` and ${weak.length - 5} more` : ''}${matchNote(facts)}.`,
        observed,
      };
}
