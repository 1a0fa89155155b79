import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How the test TSA answers. `normal` signs with openssl; the rest misbehave on purpose. */
export type TestTsaMode =
  | 'normal'
  | 'garbage'
  | 'reject'
  | 'hang'
  | 'wrong-digest'
  | 'untrusted-signer'
  | 'no-eku'
  | 'pss-signature'
  | { redirectTo: string };

export type TestTsaKeyType = 'rsa' | 'ec';

export interface TestTsaServer {
  /** http://127.0.0.1:<port>/, for TSA_URL. */
  url: string;
  /** PEM bundle of the CA that issued the TSA certificate, for TSA_TRUSTED_CERTS_FILE. */
  trustedCertsFile: string;
  /** DER of that CA certificate and of the TSA (signer) certificate. */
  caCertDer: Uint8Array;
  tsaCertDer: Uint8Array;
  /** Bodies of the requests received, in order. */
  requests: Uint8Array[];
  setMode(mode: TestTsaMode): void;
  close(): Promise<void>;
}

const TSA_TST_INFO_OID = '1.2.840.113549.1.9.16.1.4';
const POLICY_OID = '1.3.6.1.4.1.99999.1.1';

const opensslConfig = (dir: string) => `
[req]
distinguished_name = dn
prompt = no
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_tsa]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_no_eku]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
[tsa]
default_tsa = tsa_config
[tsa_config]
dir = ${dir}
serial = ${join(dir, 'tsa-serial')}
crypto_device = builtin
default_policy = ${POLICY_OID}
other_policies = 1.3.6.1.4.1.99999.1.2
digests = sha256, sha384, sha512
signer_digest = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

const KEY_OPTIONS: Record<TestTsaKeyType, string[]> = {
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  ec: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
};

const openssl = (args: string[]) => run('openssl', args, { maxBuffer: 1024 * 1024 });

/** A CA (RSA) and a TSA certificate it issues, plus a same-key certificate without the EKU. */
async function makeIdentity(dir: string, name: string, keyType: TestTsaKeyType) {
  const file = (suffix: string) => join(dir, `${name}-${suffix}`);
  const config = join(dir, 'openssl.cnf');
  await openssl(['genpkey', ...KEY_OPTIONS.rsa, '-out', file('ca.key')]);
  await openssl(
    ['req', '-x509', '-new', '-config', config, '-extensions', 'v3_ca', '-key', file('ca.key')].concat([
      '-subj',
      `/CN=${name} Test CA/O=OsirisCare Tests`,
      '-days',
      '3',
      '-out',
      file('ca.pem'),
    ]),
  );
  await openssl(['genpkey', ...KEY_OPTIONS[keyType], '-out', file('tsa.key')]);
  await openssl(
    ['req', '-new', '-config', config, '-key', file('tsa.key'), '-subj', `/CN=${name} TSA/O=OsirisCare Tests`].concat([
      '-out',
      file('tsa.csr'),
    ]),
  );
  for (const [extensions, out, serial] of [
    ['v3_tsa', 'tsa.pem', '2'],
    ['v3_no_eku', 'no-eku.pem', '3'],
  ] as const) {
    await openssl(
      ['x509', '-req', '-in', file('tsa.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key')].concat([
        '-set_serial',
        serial,
        '-days',
        '2',
        '-extfile',
        config,
        '-extensions',
        extensions,
        '-out',
        file(out),
      ]),
    );
  }
  return { caCert: file('ca.pem'), tsaKey: file('tsa.key'), tsaCert: file('tsa.pem'), noEkuCert: file('no-eku.pem') };
}

type Identity = Awaited<ReturnType<typeof makeIdentity>>;

function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/** A DER TLV (short or long length form). */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length < 0x80 ? [content.length] : [0x82, content.length >> 8, content.length & 0xff];
  return new Uint8Array([tag, ...length, ...content]);
}

/** TimeStampResp { status rejection, statusString, failInfo unacceptedPolicy (bit 15) }. */
function rejectionResponse(): Uint8Array {
  const text = tlv(0x30, tlv(0x0c, new TextEncoder().encode('policy not accepted by this test TSA')));
  const failInfo = tlv(0x03, new Uint8Array([0x00, 0x00, 0x01]));
  const status = tlv(0x30, new Uint8Array([...tlv(0x02, new Uint8Array([2])), ...text, ...failInfo]));
  return tlv(0x30, status);
}

/** The request with one byte of its SHA-256 hashedMessage flipped (the nonce stays). */
function withOtherDigest(request: Uint8Array): Uint8Array {
  const marker = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
  const copy = new Uint8Array(request);
  for (let i = 0; i + marker.length < copy.length; i++) {
    if (marker.every((byte, k) => copy[i + k] === byte)) {
      copy[i + marker.length] = (copy[i + marker.length] as number) ^ 0xff;
      return copy;
    }
  }
  throw new Error('test TSA: no SHA-256 message imprint in the request');
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * A real RFC 3161 TSA on 127.0.0.1 backed by the `openssl ts -reply` command, with its own CA and
 * TSA certificates in a temporary directory (removed on close). Requests are signed one at a time
 * (openssl updates the serial file).
 */
export async function startTestTsaServer(options: { keyType?: TestTsaKeyType } = {}): Promise<TestTsaServer> {
  const dir = await mkdtemp(join(tmpdir(), 'osiris-tsa-'));
  const config = join(dir, 'openssl.cnf');
  await writeFile(config, opensslConfig(dir));
  await writeFile(join(dir, 'tsa-serial'), '01\n');
  const keyType = options.keyType ?? 'rsa';
  const trusted = await makeIdentity(dir, 'osiris', keyType);
  const rogue = await makeIdentity(dir, 'rogue', keyType);
  const caPem = await readFile(trusted.caCert, 'utf8');
  let mode: TestTsaMode = 'normal';
  const requests: Uint8Array[] = [];
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * `openssl ts -reply`; for `no-eku` and `pss-signature` (which openssl ts cannot produce: it refuses
   * a signer without the EKU and an RSA-PSS key) the same TSTInfo is signed again with `openssl cms`.
   */
  async function sign(query: Uint8Array, identity: Identity, resign?: 'no-eku' | 'pss'): Promise<Uint8Array> {
    const id = randomBytes(8).toString('hex');
    const [queryFile, outFile, tokenFile] = ['query', 'reply', 'token'].map((kind) => join(dir, `${kind}-${id}.der`));
    await writeFile(queryFile as string, query);
    const reply = ['ts', '-reply', '-config', config, '-queryfile', queryFile as string, '-inkey', identity.tsaKey];
    await openssl([...reply, '-signer', identity.tsaCert, '-chain', identity.caCert, '-out', outFile as string]);
    if (resign) {
      const signer = resign === 'no-eku' ? identity.noEkuCert : identity.tsaCert;
      const pss = resign === 'pss' ? ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', 'rsa_pss_saltlen:32'] : [];
      const tstInfo = join(dir, `tstinfo-${id}.der`);
      await openssl([
        'ts',
        '-reply',
        '-config',
        config,
        '-in',
        outFile as string,
        '-token_out',
        '-out',
        tokenFile as string,
      ]);
      await openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', tokenFile as string, '-out', tstInfo]);
      await openssl(
        ['cms', '-sign', '-binary', '-nodetach', '-nosmimecap', '-md', 'sha256', '-outform', 'DER']
          .concat(['-econtent_type', TSA_TST_INFO_OID, '-in', tstInfo, '-signer', signer, ...pss])
          .concat(['-inkey', identity.tsaKey, '-certfile', identity.caCert, '-out', tokenFile as string]),
      );
      await openssl([
        'ts',
        '-reply',
        '-config',
        config,
        '-in',
        tokenFile as string,
        '-token_in',
        '-out',
        outFile as string,
      ]);
    }
    return new Uint8Array(await readFile(outFile as string));
  }

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    requests.push(body);
    const current = mode;
    if (current === 'hang') return; // never answers; close() drops the connection
    if (typeof current === 'object') {
      response.writeHead(302, { location: current.redirectTo }).end();
      return;
    }
    if (request.method !== 'POST' || request.headers['content-type'] !== 'application/timestamp-query') {
      response.writeHead(415).end();
      return;
    }
    let reply: Uint8Array;
    if (current === 'garbage') reply = new Uint8Array(randomBytes(64));
    else if (current === 'reject') reply = rejectionResponse();
    else {
      const query = current === 'wrong-digest' ? withOtherDigest(body) : body;
      const identity = current === 'untrusted-signer' ? rogue : trusted;
      const resign = current === 'no-eku' ? 'no-eku' : current === 'pss-signature' ? 'pss' : undefined;
      const job = queue.then(() => sign(query, identity, resign));
      queue = job.catch(() => undefined);
      reply = await job;
    }
    response.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': reply.length });
    response.end(reply);
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error).slice(0, 500));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    trustedCertsFile: trusted.caCert,
    caCertDer: pemToDer(caPem),
    tsaCertDer: pemToDer(await readFile(trusted.tsaCert, 'utf8')),
    requests,
    setMode(next) {
      mode = next;
    },
    async close() {
      try {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([closed, queue]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
