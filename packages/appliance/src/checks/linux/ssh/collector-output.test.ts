import { describe, expect, it } from 'vitest';
import { parseCollectorOutput } from './collector-output';

describe('parseCollectorOutput', () => {
  it('splits fields and sections of complete output', () => {
    const result = parseCollectorOutput({ stdout: 'a=1\nb=x y\n### list\none\ntwo\n### end\n', exitCode: 0 }, 'x');
    expect(result.ok && [...result.value.fields]).toEqual([
      ['a', '1'],
      ['b', 'x y'],
    ]);
    expect(result.ok && result.value.sections.get('list')).toEqual(['one', 'two']);
  });

  it('reports the collector’s own error line before anything else', () => {
    const result = parseCollectorOutput({ stdout: 'error=sshd -T failed\n', exitCode: 2 }, 'the thing');
    expect(!result.ok && result.evaluation.reason).toBe('Cannot judge the thing: sshd -T failed.');
  });

  it('refuses output without the end marker, input that is not collector output, and text after the end', () => {
    expect(parseCollectorOutput({ stdout: 'a=1\n', exitCode: 0 }, 'x').ok).toBe(false);
    expect(parseCollectorOutput({ stdout: 42 } as unknown, 'x').ok).toBe(false);
    expect(parseCollectorOutput({ stdout: 'a=1\n### end\nmore', exitCode: 0 }, 'x').ok).toBe(false);
  });
});
