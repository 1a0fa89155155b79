import {
  childrenOf,
  ctx,
  ctxPrimitive,
  DerError,
  type DerNode,
  expectTag,
  readInteger,
  readOid,
  readSingle,
  readTime,
  TAG,
  unwrapExplicit,
} from './der';
import { type AlgorithmIdentifier, readAlgorithm } from './x509';

/** Parsing of RFC 3161 TimeStampTokens: a CMS (RFC 5652) SignedData whose content is a TSTInfo. */

export const CMS_OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentTypeAttr: '1.2.840.113549.1.9.3',
  messageDigestAttr: '1.2.840.113549.1.9.4',
} as const;

export interface SignerInfo {
  /** issuerAndSerialNumber, or subjectKeyIdentifier. */
  sid: { issuer: Uint8Array; serial: bigint } | { keyId: Uint8Array };
  digestAlgorithm: AlgorithmIdentifier;
  /** The signed attributes re-tagged as a SET (0x31): the bytes the signature covers. */
  signedAttrs?: Uint8Array;
  attributes: Map<string, DerNode[]>;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

export interface SignedToken {
  eContentType: string;
  eContent: Uint8Array;
  certificates: Uint8Array[];
  signers: SignerInfo[];
}

export interface TstInfo {
  policy: string;
  hashAlgorithm: string;
  hashedMessage: Uint8Array;
  serial: bigint;
  genTime: Date;
  nonce?: bigint;
  tsaName?: string;
}

function readSignerInfo(node: DerNode): SignerInfo {
  const fields = childrenOf(expectTag(node, TAG.SEQUENCE, 'signerInfo'));
  const sidNode = fields[1];
  let sid: SignerInfo['sid'];
  if (sidNode?.tag === ctxPrimitive(0)) {
    sid = { keyId: sidNode.content };
  } else {
    const [issuer, serial] = childrenOf(expectTag(sidNode, TAG.SEQUENCE, 'signer identifier'));
    sid = { issuer: expectTag(issuer, TAG.SEQUENCE, 'signer issuer').bytes, serial: readInteger(serial) };
  }
  const digestAlgorithm = readAlgorithm(fields[2], 'signer digest');
  let i = 3;
  let signedAttrs: Uint8Array | undefined;
  const attributes = new Map<string, DerNode[]>();
  if (fields[i]?.tag === ctx(0)) {
    const attrsNode = fields[i++] as DerNode;
    signedAttrs = new Uint8Array(attrsNode.bytes);
    signedAttrs[0] = TAG.SET;
    for (const attribute of childrenOf(attrsNode)) {
      const [type, values] = childrenOf(expectTag(attribute, TAG.SEQUENCE, 'attribute'));
      const id = readOid(type, 'attribute type');
      if (attributes.has(id)) throw new DerError(`attribute ${id} appears twice`);
      attributes.set(id, childrenOf(expectTag(values, TAG.SET, 'attribute values')));
    }
  }
  const signatureAlgorithm = readAlgorithm(fields[i++], 'signature algorithm');
  const signature = expectTag(fields[i], TAG.OCTET_STRING, 'signature').content;
  return { sid, digestAlgorithm, signatureAlgorithm, signature, attributes, ...(signedAttrs ? { signedAttrs } : {}) };
}

/** ContentInfo → SignedData pieces. Throws DerError on anything malformed. */
export function parseSignedToken(token: Uint8Array): SignedToken {
  const [type, wrapped] = childrenOf(readSingle(token, TAG.SEQUENCE, 'ContentInfo'));
  if (readOid(type, 'content type') !== CMS_OID.signedData) throw new DerError('not a CMS SignedData');
  const signedData = unwrapExplicit(expectTag(wrapped, ctx(0), 'SignedData'), 'SignedData');
  const fields = childrenOf(expectTag(signedData, TAG.SEQUENCE, 'SignedData'));
  const [eType, eWrapped] = childrenOf(expectTag(fields[2], TAG.SEQUENCE, 'encapContentInfo'));
  const eContentType = readOid(eType, 'eContentType');
  if (!eWrapped) throw new DerError('the token has no encapsulated content');
  const eContent = expectTag(unwrapExplicit(eWrapped, 'eContent'), TAG.OCTET_STRING, 'eContent').content;
  const rest = fields.slice(3);
  const certSet = rest.find((field) => field.tag === ctx(0));
  const certificates = certSet
    ? childrenOf(certSet)
        .filter((choice) => choice.tag === TAG.SEQUENCE)
        .map((choice) => choice.bytes)
    : [];
  const signers = childrenOf(expectTag(rest[rest.length - 1], TAG.SET, 'signerInfos')).map(readSignerInfo);
  return { eContentType, eContent, certificates, signers };
}

const NAME_ATTRS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
};

/** An X.501 Name as "CN=…, O=…" in the order encoded. */
function renderName(name: DerNode): string {
  const parts: string[] = [];
  for (const rdn of childrenOf(expectTag(name, TAG.SEQUENCE, 'name'))) {
    for (const atv of childrenOf(rdn)) {
      const [type, value] = childrenOf(atv);
      const oid = readOid(type, 'name attribute');
      parts.push(`${NAME_ATTRS[oid] ?? oid}=${new TextDecoder().decode(value?.content)}`);
    }
  }
  return parts.join(', ');
}

/** GeneralName (RFC 5280) → text: directoryName rendered, rfc822Name/dNSName/URI as is. */
function renderGeneralName(node: DerNode): string | undefined {
  if (node.tag === ctx(4)) return renderName(unwrapExplicit(node, 'directoryName'));
  if ([ctxPrimitive(1), ctxPrimitive(2), ctxPrimitive(6)].includes(node.tag)) {
    return new TextDecoder().decode(node.content);
  }
  return undefined;
}

export function parseTstInfo(der: Uint8Array): TstInfo {
  const fields = childrenOf(readSingle(der, TAG.SEQUENCE, 'TSTInfo'));
  if (readInteger(fields[0], 'TSTInfo version') !== 1n) throw new DerError('TSTInfo version is not 1');
  const [algorithm, hashed] = childrenOf(expectTag(fields[2], TAG.SEQUENCE, 'messageImprint'));
  const info: TstInfo = {
    policy: readOid(fields[1], 'policy'),
    hashAlgorithm: readAlgorithm(algorithm, 'messageImprint').oid,
    hashedMessage: expectTag(hashed, TAG.OCTET_STRING, 'hashedMessage').content,
    serial: readInteger(fields[3], 'serialNumber'),
    genTime: readTime(expectTag(fields[4], TAG.GENERALIZED_TIME, 'genTime'), 'genTime'),
  };
  for (const field of fields.slice(5)) {
    if (field.tag === TAG.INTEGER) info.nonce = readInteger(field, 'nonce');
    if (field.tag === ctx(0)) {
      const name = renderGeneralName(unwrapExplicit(field, 'tsa'));
      if (name !== undefined) info.tsaName = name;
    }
  }
  return info;
}
