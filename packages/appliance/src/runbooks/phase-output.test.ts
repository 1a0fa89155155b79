import { describe, expect, it } from 'vitest';
import { detectedNeed, isVerifiedOutput } from './phase-output';

describe('phase output', () => {
  it('reads need from sh lines and from a Windows phase JSON object', () => {
    expect(detectedNeed('checking\nneeded=yes\n')).toBe('yes');
    expect(detectedNeed('needed=no')).toBe('no');
    expect(detectedNeed('{"needed":true,"failing":["Public"]}\r\n')).toBe('yes');
    expect(detectedNeed('\uFEFF{"needed":false,"failing":[]}')).toBe('no');
  });

  it('gives no answer for anything else', () => {
    expect(detectedNeed('needed=maybe')).toBeUndefined();
    expect(detectedNeed('{"needed":"yes"}')).toBeUndefined();
    expect(detectedNeed('{"collectorError":"Access denied"}')).toBeUndefined();
    expect(detectedNeed('{"needed":true')).toBeUndefined();
  });

  it('accepts verified=yes or JSON verified true only', () => {
    expect(isVerifiedOutput('verified=yes\n')).toBe(true);
    expect(isVerifiedOutput('{"verified":true,"failing":[]}\r\n')).toBe(true);
    expect(isVerifiedOutput('{"verified":false,"failing":["Public"]}')).toBe(false);
    expect(isVerifiedOutput('{"verified":"true"}')).toBe(false);
    expect(isVerifiedOutput('verified=no')).toBe(false);
  });
});
