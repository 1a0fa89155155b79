import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password';

describe('passwordProblem', () => {
  it('refuses passwords on the common list whatever their case', () => {
    expect(passwordProblem('QWERTY123456')).toMatch(/common passwords/);
    expect(passwordProblem('1qaz2wsx3edc')).toMatch(/common passwords/);
  });

  it('refuses a common word dressed up with digits and symbols', () => {
    expect(passwordProblem('Password2024!')).toMatch(/digits or symbols added/);
    expect(passwordProblem('!!sunshine1234')).toMatch(/digits or symbols added/);
  });

  it('refuses one repeated character and the email name', () => {
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/repeats/);
    expect(passwordProblem('xx-margaret-2031-yy', 'margaret@clinic.example')).toMatch(/email name/);
  });

  it('accepts a long uncommon passphrase', () => {
    expect(passwordProblem('violet-anchor-tundra-41')).toBeNull();
  });
});
