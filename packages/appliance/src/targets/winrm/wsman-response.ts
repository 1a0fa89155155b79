import { COMMAND_STATE_DONE } from './wsman-envelopes';

/**
 * Reading WinRM response envelopes. The few elements we need are read by local name, whatever
 * namespace prefix the server chose (Windows uses s:, rsp:, w:, f: but nothing requires it); no
 * DTDs or external entities are ever processed. Inputs are bounded by the transport.
 */

interface Element {
  attributes: Record<string, string>;
  /** Raw inner XML ('' for an empty element). */
  inner: string;
}

const localNamePattern = (name: string): string => `(?:[A-Za-z_][\\w.-]*:)?${name}`;

function elements(xml: string, name: string): Element[] {
  const tag = localNamePattern(name);
  const pattern = new RegExp(`<${tag}((?:\\s[^>]*?)?)(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, 'g');
  return [...xml.matchAll(pattern)].map((match) => ({
    attributes: parseAttributes(match[1] ?? ''),
    inner: match[2] ?? '',
  }));
}

function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const name = (match[1] ?? '').replace(/^[\w.-]+:/, '');
    attributes[name] = decodeEntities(match[2] ?? match[3] ?? '');
  }
  return attributes;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[entity] ?? '';
  });
}

/** Text content without tags, entities decoded, whitespace collapsed. */
function textOf(inner: string): string {
  return decodeEntities(inner.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

const firstText = (xml: string, name: string): string | null => {
  const found = elements(xml, name)[0];
  return found ? textOf(found.inner) : null;
};

/** A SOAP fault (s:Fault) with the WSManFault detail Windows adds. */
export interface WsmanFault {
  /** s:Code/s:Value, e.g. `s:Sender`. */
  code: string | null;
  /** s:Subcode/s:Value, e.g. `w:TimedOut`, `w:AccessDenied`. */
  subcode: string | null;
  /** WSManFault Code: a Win32 or WinRM error number, e.g. 2150858793. */
  wsmanCode: number | null;
  message: string;
}

/** 0x80338029: the operation did not finish within w:OperationTimeout (for Receive: no output yet). */
const WSMAN_OPERATION_TIMEOUT = 2150858793;
/** Win32 ERROR_ACCESS_DENIED, as WinRM reports a user who may not use the shell. */
export const WSMAN_ACCESS_DENIED = 5;

export function parseFault(xml: string): WsmanFault | null {
  const fault = elements(xml, 'Fault')[0];
  if (!fault) return null;
  const subcode = elements(fault.inner, 'Subcode')[0];
  const codeValue = elements(fault.inner.replace(/<[^>]*Subcode[\s\S]*$/, ''), 'Value')[0];
  const detail = elements(fault.inner, 'WSManFault')[0];
  const rawCode = detail?.attributes.Code;
  const wsmanCode = rawCode !== undefined && /^\d{1,10}$/.test(rawCode) ? Number(rawCode) : null;
  const message =
    (detail ? firstText(detail.inner, 'Message') : null) || firstText(fault.inner, 'Text') || 'no reason given';
  return {
    code: codeValue ? textOf(codeValue.inner) : null,
    subcode: subcode ? firstText(subcode.inner, 'Value') : null,
    wsmanCode,
    message: message.slice(0, 500),
  };
}

export function isOperationTimeout(fault: WsmanFault): boolean {
  return fault.wsmanCode === WSMAN_OPERATION_TIMEOUT || /(^|:)TimedOut$/.test(fault.subcode ?? '');
}

/** The ShellId of a Create response: rsp:Shell/rsp:ShellId or the ResourceCreated selector. */
export function parseShellId(xml: string): string | null {
  const shellId = firstText(xml, 'ShellId');
  if (shellId) return shellId;
  const selector = elements(xml, 'Selector').find((s) => s.attributes.Name === 'ShellId');
  return selector ? textOf(selector.inner) : null;
}

export function parseCommandId(xml: string): string | null {
  return firstText(xml, 'CommandId');
}

export interface ReceiveChunk {
  stdout: Buffer[];
  stderr: Buffer[];
  isDone: boolean;
  /** Set once the command is Done (null if the server did not send one). */
  exitCode: number | null;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Streams and command state of a ReceiveResponse for `commandId`. Throws on undecodable streams. */
export function parseReceive(xml: string, commandId: string): ReceiveChunk {
  const chunk: ReceiveChunk = { stdout: [], stderr: [], isDone: false, exitCode: null };
  for (const stream of elements(xml, 'Stream')) {
    const { Name: name, CommandId: id } = stream.attributes;
    if (id !== undefined && id.toUpperCase() !== commandId.toUpperCase()) continue;
    if (name !== 'stdout' && name !== 'stderr') continue;
    const text = stream.inner.replace(/\s+/g, '');
    if (!BASE64.test(text)) throw new Error(`the ${name} stream is not valid base64`);
    if (text !== '') chunk[name].push(Buffer.from(text, 'base64'));
  }
  const state = elements(xml, 'CommandState').find(
    (s) => s.attributes.CommandId === undefined || s.attributes.CommandId.toUpperCase() === commandId.toUpperCase(),
  );
  if (state?.attributes.State === COMMAND_STATE_DONE) {
    chunk.isDone = true;
    const exit = firstText(state.inner, 'ExitCode');
    chunk.exitCode = exit !== null && /^-?\d{1,10}$/.test(exit) ? Number(exit) : null;
  }
  return chunk;
}
