/**
 * MD4 (RFC 1320), needed only for the NTLM NT hash (MD4 of the UTF-16LE password). OpenSSL 3, which
 * Node 20 links, keeps MD4 in its legacy provider and `createHash('md4')` fails, so it is written
 * here from the RFC. Not for any other use: MD4 is broken as a hash.
 */

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

const F = (x: number, y: number, z: number): number => (x & y) | (~x & z);
const G = (x: number, y: number, z: number): number => (x & y) | (x & z) | (y & z);
const H = (x: number, y: number, z: number): number => x ^ y ^ z;

/** Round 2 and 3 constants (RFC 1320 §3.4). */
const ROUND2 = 0x5a827999;
const ROUND3 = 0x6ed9eba1;

/** Word order and shifts of the three rounds, 16 steps each. */
const R1_SHIFTS = [3, 7, 11, 19];
const R2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const R2_SHIFTS = [3, 5, 9, 13];
const R3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];
const R3_SHIFTS = [3, 9, 11, 15];

/** Message padded to a multiple of 64 bytes: 0x80, zeros, then the bit length as 64-bit little endian. */
function pad(message: Uint8Array): Buffer {
  const paddedLength = Math.ceil((message.length + 9) / 64) * 64;
  const padded = Buffer.alloc(paddedLength);
  padded.set(message);
  padded[message.length] = 0x80;
  const bitLength = BigInt(message.length) * 8n;
  padded.writeBigUInt64LE(bitLength, paddedLength - 8);
  return padded;
}

export function md4(message: Uint8Array): Buffer {
  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const padded = pad(message);
  const x = new Array<number>(16);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i += 1) x[i] = padded.readInt32LE(offset + i * 4);
    let [a, b, c, d] = state as [number, number, number, number];
    // Each step rotates the roles of a, b, c, d: the value computed becomes the new "a" slot.
    const step = (fn: (v: number, w: number, y: number) => number, k: number, s: number, add: number): void => {
      const next = rotl((a + fn(b, c, d) + (x[k] as number) + add) | 0, s);
      [a, b, c, d] = [d, next, b, c];
    };
    for (let i = 0; i < 16; i += 1) step(F, i, R1_SHIFTS[i % 4] as number, 0);
    for (let i = 0; i < 16; i += 1) step(G, R2_ORDER[i] as number, R2_SHIFTS[i % 4] as number, ROUND2);
    for (let i = 0; i < 16; i += 1) step(H, R3_ORDER[i] as number, R3_SHIFTS[i % 4] as number, ROUND3);
    state[0] = ((state[0] as number) + a) | 0;
    state[1] = ((state[1] as number) + b) | 0;
    state[2] = ((state[2] as number) + c) | 0;
    state[3] = ((state[3] as number) + d) | 0;
  }
  const digest = Buffer.alloc(16);
  state.forEach((word, i) => {
    digest.writeInt32LE(word, i * 4);
  });
  return digest;
}
