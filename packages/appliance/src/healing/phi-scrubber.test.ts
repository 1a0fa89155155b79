import { describe, expect, it } from 'vitest';
import { type PhiType, scrubPhi, scrubPhiText } from './phi-scrubber';

/** Each case: text, expected output, and the single type it must be counted under (if any). */
type Case = [input: string, expected: string];

function expectScrubs(type: PhiType, cases: Case[], options = {}): void {
  for (const [input, expected] of cases) {
    const result = scrubPhiText(input, options);
    expect(result.value, input).toBe(expected);
    const occurrences = expected.split(`[REDACTED:${type}]`).length - 1;
    expect(result.counts[type] ?? 0, input).toBe(occurrences);
    expect(result.total, input).toBe(occurrences);
  }
}

function expectUntouched(inputs: string[], options = {}): void {
  for (const input of inputs) {
    const result = scrubPhiText(input, options);
    expect(result.value, input).toBe(input);
    expect(result.total, input).toBe(0);
  }
}

describe('PHI scrubber patterns', () => {
  it('redacts social security numbers with consistent separators or a label', () => {
    expectScrubs('ssn', [
      ['ssn 123-45-6789 found', 'ssn [REDACTED:ssn] found'],
      ['123 45 6789', '[REDACTED:ssn]'],
      ['SSN: 123456789', 'SSN: [REDACTED:ssn]'],
      ['Social Security Number #987654321', 'Social Security Number #[REDACTED:ssn]'],
    ]);
    expectUntouched(['inode 123456789', '123-45 6789', '2024-11-30', '1123-45-67890', 'v1.123-45-6789.2']);
  });

  it('redacts medical record numbers after an MRN label', () => {
    expectScrubs('mrn', [
      ['MRN: 00123456', 'MRN: [REDACTED:mrn]'],
      ['mrn=A12345 seen', 'mrn=[REDACTED:mrn] seen'],
      ['Medical Record Number #445566', 'Medical Record Number #[REDACTED:mrn]'],
    ]);
    expectUntouched(['MRN: 123', 'MRNA vaccine', 'pid 00123456']);
  });

  it('redacts patient ids after a label', () => {
    expectScrubs('patient_id', [
      ['patient_id: PX99812', 'patient_id: [REDACTED:patient_id]'],
      ['Patient ID 4711-x', 'Patient ID [REDACTED:patient_id]-x'],
    ]);
    expectUntouched(['patient_id: ab', 'process id 4711']);
  });

  it('redacts separated US phone numbers but not version strings', () => {
    expectScrubs('phone', [
      ['call (555) 123-4567 now', 'call [REDACTED:phone] now'],
      ['+1 555.123.4567', '[REDACTED:phone]'],
      ['555-123-4567.', '[REDACTED:phone].'],
      ['phone: 5551234567', 'phone: [REDACTED:phone]'],
    ]);
    expectUntouched([
      'kernel 10.0.19045.1234',
      'version 1.2.3',
      'openssl 3.0.2-0ubuntu1.10',
      '555.123.4567.8',
      '5551234567',
    ]);
  });

  it('redacts email addresses', () => {
    expectScrubs('email', [['from jane.doe+x@clinic.example.org:', 'from [REDACTED:email]:']]);
    expectUntouched(['user@localhost', 'git@ refs', '@example.org']);
  });

  it('redacts card numbers only when the Luhn check passes', () => {
    expectScrubs('credit_card', [
      ['card 4111 1111 1111 1111 ok', 'card [REDACTED:credit_card] ok'],
      ['5500-0000-0000-0004', '[REDACTED:credit_card]'],
      ['378282246310005', '[REDACTED:credit_card]'],
    ]);
    // Luhn fails; a millisecond timestamp; a long build number.
    expectUntouched(['4111 1111 1111 1112', 'ts=1732999999123', 'build 9999999999999999']);
  });

  it('redacts dates of birth after a label but keeps other dates', () => {
    expectScrubs('dob', [
      ['DOB: 03/04/1970', 'DOB: [REDACTED:dob]'],
      ['date of birth 1970-03-04;', 'date of birth [REDACTED:dob];'],
      ['born on March 3, 1970.', 'born on [REDACTED:dob].'],
      ['birthdate=4 Jul 1982', 'birthdate=[REDACTED:dob]'],
    ]);
    expectUntouched(['last boot 2024-11-30', 'updated 03/04/1970', 'DOB: unknown']);
  });

  it('redacts street addresses with a suffix and unit', () => {
    expectScrubs('address', [
      ['lives at 123 Main Street, Apt 4B today', 'lives at [REDACTED:address] today'],
      ['42 W 5th AVE', '[REDACTED:address]'],
      ['9 Elm Rd.', '[REDACTED:address]'],
    ]);
    expectUntouched(['3 errors on drive C', '2 services restarted', 'port 8080 way open', '12 Main']);
  });

  it('redacts ZIP codes after a label or a state, not bare numbers', () => {
    expectScrubs('zip', [
      ['Boston, MA 02139', 'Boston, MA [REDACTED:zip]'],
      ['zip: 02139-1234', 'zip: [REDACTED:zip]'],
      ['Postal code 90210', 'Postal code [REDACTED:zip]'],
    ]);
    expectUntouched(['inode 12345', 'OK 12345 bytes', 'listening on :65535']);
  });

  it('redacts account, insurance, Medicare and driver licence numbers after their labels', () => {
    expectScrubs('account_number', [['Account No: 12345678', 'Account No: [REDACTED:account_number]']]);
    expectScrubs('insurance_id', [['Member ID: ABC12345', 'Member ID: [REDACTED:insurance_id]']]);
    expectScrubs('medicare', [['Medicare: 1EG4-TE5-MK73', 'Medicare: [REDACTED:medicare]']]);
    expectScrubs('drivers_license', [
      ['DL: D1234567', 'DL: [REDACTED:drivers_license]'],
      ["driver's license number S123-456", "driver's license number [REDACTED:drivers_license]"],
    ]);
    expectUntouched(['account 42 locked', 'DLL loaded: D1234567', 'group policy applied', 'medicare']);
  });

  it('redacts capitalised names after patient labels but not lower-case service text', () => {
    expectScrubs('patient_name', [
      ['Patient: John Smith admitted', 'Patient: [REDACTED:patient_name] admitted'],
      ["PATIENT NAME: O'Brien, Mary", 'PATIENT NAME: [REDACTED:patient_name]'],
      ['guarantor=Jane Q. Public', 'guarantor=[REDACTED:patient_name]'],
    ]);
    expectUntouched(['patient: sshd restarted', 'Name : WinDefend', 'DisplayName: Windows Update']);
  });

  it('redacts IPv4 addresses only when configured', () => {
    const on = { redactIpAddresses: true };
    expectScrubs('ipv4', [['host 10.0.0.5:22 up', 'host [REDACTED:ipv4]:22 up']], on);
    expectUntouched(['host 10.0.0.5 up']);
    expectUntouched(['version 1.2.3.4.5', 'kernel 10.0.19045.1234', '256.1.1.1'], on);
  });

  it('redacts IPv6 addresses only when configured, not times or MAC addresses', () => {
    const on = { redactIpAddresses: true };
    expectScrubs(
      'ipv6',
      [
        ['from 2001:db8::8a2e:370:7334 ok', 'from [REDACTED:ipv6] ok'],
        ['fe80::1', '[REDACTED:ipv6]'],
      ],
      on,
    );
    expectUntouched(['from 2001:db8::1']);
    expectUntouched(['at 12:34:56', 'mac aa:bb:cc:dd:ee:ff', 'std::string'], on);
  });
});

describe('scrubbing JSON values', () => {
  it('scrubs strings and keys at every depth and counts per type', () => {
    const input = {
      stdout: 'Patient: John Smith, SSN 123-45-6789',
      nested: [{ note: 'mail a.b@clinic.org' }, 42, null, true],
      'a.b@clinic.org': 'key is an email',
    };
    const result = scrubPhi(input);
    expect(result.value).toEqual({
      stdout: 'Patient: [REDACTED:patient_name], SSN [REDACTED:ssn]',
      nested: [{ note: 'mail [REDACTED:email]' }, 42, null, true],
      '[REDACTED:email]': 'key is an email',
    });
    expect(result.counts).toEqual({ patient_name: 1, ssn: 1, email: 2 });
    expect(result.total).toBe(4);
    expect(input.stdout).toBe('Patient: John Smith, SSN 123-45-6789');
  });

  it('replaces whole values under PHI field names, including numbers', () => {
    const result = scrubPhi({ ssn: 123456789, patient_name: 'jane doe', dob: '', phone: null, port: 22 });
    expect(result.value).toEqual({
      ssn: '[REDACTED:ssn]',
      patient_name: '[REDACTED:patient_name]',
      dob: '',
      phone: null,
      port: 22,
    });
    expect(result.counts).toEqual({ ssn: 1, patient_name: 1 });
  });

  it('leaves placeholders alone when scrubbed twice', () => {
    const once = scrubPhiText('DOB: 03/04/1970, call 555-123-4567').value;
    const twice = scrubPhiText(once);
    expect(twice.value).toBe(once);
    expect(twice.total).toBe(0);
  });
});
