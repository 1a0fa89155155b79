import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readableStderr } from './wsman-shell';
import {
  commandEnvelope,
  createShellEnvelope,
  deleteShellEnvelope,
  powershellCommand,
  receiveEnvelope,
  signalTerminateEnvelope,
} from './wsman-envelopes';
import { isOperationTimeout, parseCommandId, parseFault, parseReceive, parseShellId } from './wsman-response';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/winrm');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
/** Whitespace between tags is formatting only. */
const normalise = (xml: string): string => xml.replace(/>\s+</g, '><').trim();

const SHELL_ID = '0A8C0F2D-5B3E-4E7A-9C1D-2F6B8E4A1C30';
const COMMAND_ID = '7D3E9B14-2C6A-4F81-A5E0-9B1C3D5E7F20';
const CONTEXT = {
  endpointUrl: 'https://dc01.corp.example:5986/wsman',
  maxEnvelopeBytes: 153_600,
  operationTimeoutSeconds: 30,
  messageId: 'C0FFEE00-1111-2222-3333-444455556666',
};

describe('WS-Management envelopes', () => {
  it('builds the Create shell request documented in the fixture', () => {
    const expected = fixture('create-shell.request.xml').replace('{{MESSAGE_ID}}', CONTEXT.messageId);
    expect(createShellEnvelope(CONTEXT)).toBe(normalise(expected));
  });

  it('builds a Command request running PowerShell with the script UTF-16LE base64 encoded', () => {
    const { command, args } = powershellCommand('$PSVersionTable.PSVersion.ToString()');
    const expected = fixture('command.request.xml').replace('{{MESSAGE_ID}}', CONTEXT.messageId);
    expect(commandEnvelope(CONTEXT, SHELL_ID, command, args)).toBe(normalise(expected));
  });

  it('round-trips any script text through -EncodedCommand, quotes and non-ASCII included', () => {
    const script = `Write-Output "it's <fine> & \u00e9t\u00e9 \u2713"`;
    const { args } = powershellCommand(script);
    const encoded = args.split(' ').at(-1) ?? '';
    expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(script);
  });

  it('addresses Receive, Signal and Delete to the shell and command', () => {
    const receive = receiveEnvelope(CONTEXT, SHELL_ID, COMMAND_ID);
    expect(receive).toContain(`<w:Selector Name="ShellId">${SHELL_ID}</w:Selector>`);
    expect(receive).toContain(`<rsp:DesiredStream CommandId="${COMMAND_ID}">stdout stderr</rsp:DesiredStream>`);
    const signal = signalTerminateEnvelope(CONTEXT, SHELL_ID, COMMAND_ID);
    expect(signal).toContain('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate');
    expect(signal).toContain(
      '<a:Action s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal</a:Action>',
    );
    expect(deleteShellEnvelope(CONTEXT, SHELL_ID)).toContain('http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete');
  });

  it('refuses ids from the server that are not GUID-like (no XML injection)', () => {
    expect(() => receiveEnvelope(CONTEXT, SHELL_ID, '"/><evil/>')).toThrow(/unusable command id/);
    expect(() => deleteShellEnvelope(CONTEXT, 'a b')).toThrow(/unusable shell id/);
  });
});

describe('WS-Management responses', () => {
  it('reads the ShellId and CommandId', () => {
    expect(parseShellId(fixture('create-shell.response.xml'))).toBe(SHELL_ID);
    expect(
      parseShellId(
        '<x:ResourceCreated><w:SelectorSet><w:Selector Name="ShellId">AB-12</w:Selector></w:SelectorSet></x:ResourceCreated>',
      ),
    ).toBe('AB-12');
    expect(parseCommandId(fixture('command.response.xml'))).toBe(COMMAND_ID);
  });

  it('decodes stdout across Receive responses and the exit code once Done', () => {
    const first = parseReceive(fixture('receive-running.response.xml'), COMMAND_ID);
    expect(first.isDone).toBe(false);
    const last = parseReceive(fixture('receive-done.response.xml'), COMMAND_ID);
    expect(last).toMatchObject({ isDone: true, exitCode: 0 });
    const stdout = Buffer.concat([...first.stdout, ...last.stdout]).toString('utf8');
    expect(JSON.parse(stdout).profiles).toHaveLength(3);
    expect(Buffer.concat(last.stderr).toString('utf8')).toBe('WARNING: test stderr line\r\n');
  });

  it('ignores streams of another command and refuses a stream that is not base64', () => {
    expect(parseReceive(fixture('receive-done.response.xml'), 'OTHER-ID')).toMatchObject({ stdout: [], isDone: false });
    const broken = fixture('receive-done.response.xml').replace('V0FSTklORzog', '%%%');
    expect(() => parseReceive(broken, COMMAND_ID)).toThrow(/stderr stream is not valid base64/);
  });

  it('reads faults with their WSManFault code and recognises the Receive timeout', () => {
    const timeout = parseFault(fixture('receive-timeout.fault.xml'));
    expect(timeout).toMatchObject({ code: 's:Receiver', subcode: 'w:TimedOut', wsmanCode: 2150858793 });
    expect(timeout && isOperationTimeout(timeout)).toBe(true);
    const denied = parseFault(fixture('access-denied.fault.xml'));
    expect(denied).toMatchObject({
      code: 's:Sender',
      subcode: 'w:AccessDenied',
      wsmanCode: 5,
      message: 'Access is denied.',
    });
    expect(denied && isOperationTimeout(denied)).toBe(false);
    expect(parseFault(fixture('shell-not-found.fault.xml'))?.message).toMatch(/shell was not found/);
    expect(parseFault(fixture('command.response.xml'))).toBeNull();
  });

  it('turns PowerShell CLIXML on stderr into its error text', () => {
    const clixml =
      '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Get-Thing : not found_x000D__x000A_</S><S S="Error">At line:1 char:1_x000D__x000A_</S></Objs>';
    expect(readableStderr(clixml)).toBe('Get-Thing : not found\nAt line:1 char:1\n');
    expect(readableStderr('plain text')).toBe('plain text');
  });
});
