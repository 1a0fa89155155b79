import { randomUUID } from 'node:crypto';

/**
 * SOAP 1.2 envelopes for the WinRM remote shell (MS-WSMV §3.1.4.1 and the Windows Remote Shell
 * operations): Create shell, Command, Receive, Signal, Delete. One text builder per operation; the
 * caller supplies the endpoint URL, the limits and, where needed, the shell and command ids.
 */

const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  addressing: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  msWsman: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  shell: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
} as const;

const RESOURCE_URI_CMD = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';

const ACTION = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: `${NS.shell}/Command`,
  receive: `${NS.shell}/Receive`,
  signal: `${NS.shell}/Signal`,
} as const;

const SIGNAL_TERMINATE = `${NS.shell}/signal/terminate`;
export const COMMAND_STATE_DONE = `${NS.shell}/CommandState/Done`;

/** What every envelope's header carries. */
export interface EnvelopeContext {
  /** `https://host:5986/wsman` */
  endpointUrl: string;
  /** The largest response envelope we accept, told to the server (w:MaxEnvelopeSize). */
  maxEnvelopeBytes: number;
  /** How long the server may take for the operation (w:OperationTimeout). */
  operationTimeoutSeconds: number;
  messageId?: string;
}

const ID_PATTERN = /^[0-9A-Za-z-]{1,64}$/;

/** Ids the server gave us go back into XML: only GUID-like text is accepted. */
function assertId(value: string, what: string): string {
  if (!ID_PATTERN.test(value)) throw new Error(`the server sent an unusable ${what}`);
  return value;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function envelope(
  context: EnvelopeContext,
  action: string,
  body: string,
  extra: { shellId?: string; options?: Record<string, string> } = {},
): string {
  const selector = extra.shellId
    ? `<w:SelectorSet><w:Selector Name="ShellId">${assertId(extra.shellId, 'shell id')}</w:Selector></w:SelectorSet>`
    : '';
  const options = extra.options
    ? `<w:OptionSet>${Object.entries(extra.options)
        .map(([name, value]) => `<w:Option Name="${escapeXml(name)}">${escapeXml(value)}</w:Option>`)
        .join('')}</w:OptionSet>`
    : '';
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.addressing}" xmlns:w="${NS.wsman}" xmlns:p="${NS.msWsman}" xmlns:rsp="${NS.shell}">`,
    '<s:Header>',
    `<a:To>${escapeXml(context.endpointUrl)}</a:To>`,
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${NS.addressing}/role/anonymous</a:Address></a:ReplyTo>`,
    `<a:Action s:mustUnderstand="true">${action}</a:Action>`,
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${Math.floor(context.maxEnvelopeBytes)}</w:MaxEnvelopeSize>`,
    `<a:MessageID>uuid:${context.messageId ?? randomUUID().toUpperCase()}</a:MessageID>`,
    '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>',
    '<p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>',
    `<w:OperationTimeout>PT${Math.max(1, Math.floor(context.operationTimeoutSeconds))}.000S</w:OperationTimeout>`,
    `<w:ResourceURI s:mustUnderstand="true">${RESOURCE_URI_CMD}</w:ResourceURI>`,
    selector,
    options,
    '</s:Header>',
    `<s:Body>${body}</s:Body>`,
    '</s:Envelope>',
  ].join('');
}

/** Creates a cmd shell with stdin/stdout/stderr, UTF-8 code page, no user profile loaded. */
export function createShellEnvelope(context: EnvelopeContext): string {
  return envelope(
    context,
    ACTION.create,
    '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
    { options: { WINRS_NOPROFILE: 'TRUE', WINRS_CODEPAGE: '65001' } },
  );
}

/**
 * Starts `command` with `args` in the shell. WINRS_SKIP_CMD_SHELL runs the process directly rather
 * than through cmd.exe, whose 8191-character line limit would cap the encoded script.
 */
export function commandEnvelope(context: EnvelopeContext, shellId: string, command: string, args: string): string {
  return envelope(
    context,
    ACTION.command,
    `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command><rsp:Arguments>${escapeXml(args)}</rsp:Arguments></rsp:CommandLine>`,
    { shellId, options: { WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'TRUE' } },
  );
}

export function receiveEnvelope(context: EnvelopeContext, shellId: string, commandId: string): string {
  return envelope(
    context,
    ACTION.receive,
    `<rsp:Receive><rsp:DesiredStream CommandId="${assertId(commandId, 'command id')}">stdout stderr</rsp:DesiredStream></rsp:Receive>`,
    { shellId },
  );
}

export function signalTerminateEnvelope(context: EnvelopeContext, shellId: string, commandId: string): string {
  return envelope(
    context,
    ACTION.signal,
    `<rsp:Signal CommandId="${assertId(commandId, 'command id')}"><rsp:Code>${SIGNAL_TERMINATE}</rsp:Code></rsp:Signal>`,
    { shellId },
  );
}

export function deleteShellEnvelope(context: EnvelopeContext, shellId: string): string {
  return envelope(context, ACTION.delete, '', { shellId });
}

/**
 * The process line for a PowerShell script: `-EncodedCommand` takes the script as base64 of its
 * UTF-16LE text, so no quoting of the script is needed at all.
 */
export function powershellCommand(script: string): { command: string; args: string } {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  return {
    command: 'powershell.exe',
    args: `-NoProfile -NonInteractive -EncodedCommand ${encoded}`,
  };
}

/** CreateProcess takes at most 32767 characters of command line; keep a margin. */
export const MAX_COMMAND_LINE_CHARS = 32_000;
