import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which addresses a notification may be sent to (SSRF protection). Pure functions: the HTTP client
 * resolves a host, asks `isForbiddenAddress` about every address, and connects to the one checked.
 */

/** IPv4 ranges no notification may reach: [base address, prefix length]. */
const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT shared address space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function v4ToNumber(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function isForbiddenV4(address: string): boolean {
  const value = v4ToNumber(address);
  return V4_BLOCKED.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    const start = v4ToNumber(base);
    return value >= start && value < start + size;
  });
}

/** The 16 bytes of an IPv6 address (zone id dropped, embedded dotted IPv4 understood). */
export function v6ToBytes(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = v4ToNumber(dotted[1]);
    tail.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
    text = `${text.slice(0, -dotted[1].length)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const zeros = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const words = [...left, ...zeros, ...right];
  const bytes = words.flatMap((w) => [(w >> 8) & 255, w & 255]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

const startsWith = (bytes: number[], prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

function isForbiddenV6(address: string): boolean {
  const b = v6ToBytes(address);
  const embeddedV4 = () => b.slice(12, 16).join('.');
  if (b.every((x) => x === 0)) return true; // :: unspecified
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return true; // ::1 loopback
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d): judge the IPv4 inside.
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255])) return isForbiddenV4(embeddedV4());
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])) return isForbiddenV4(embeddedV4());
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return isForbiddenV4(embeddedV4());
  const first = b[0] ?? 0;
  const second = b[1] ?? 0;
  if ((first & 0xfe) === 0xfc) return true; // fc00::/7 unique local
  if (first === 0xfe && (second & 0xc0) === 0x80) return true; // fe80::/10 link-local
  if (first === 0xfe && (second & 0xc0) === 0xc0) return true; // fec0::/10 site-local (deprecated)
  if (first === 0xff) return true; // multicast
  if (first === 0x20 && second === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return true; // 2001:db8::/32 documentation
  if (first === 0x20 && second === 0x02) return isForbiddenV4(b.slice(2, 6).join('.')); // 6to4 carries an IPv4
  return false;
}

/**
 * True for private, loopback, link-local, CGNAT, multicast, unspecified, documentation and other
 * non-public addresses, IPv4 or IPv6 (IPv4-mapped IPv6 judged by its IPv4). Not an IP: true.
 */
export function isForbiddenAddress(address: string): boolean {
  if (isIPv4(address)) return isForbiddenV4(address);
  if (isIPv6(address)) return isForbiddenV6(address);
  return true;
}
