/**
 * IPv4 and IPv6 address parsing and CIDR containment for the `cidr` pattern operator.
 * Addresses are compared as byte arrays so that both families share one code path.
 */

/** Parses a dotted-quad or (possibly compressed) IPv6 address; undefined when it is not one. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let index = 0; index < 4; index++) {
    const part = parts[index] ?? '';
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[index] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  let embedded: Uint8Array | undefined;
  if (last?.includes('.')) {
    embedded = parseIpv4(last);
    if (!embedded) return undefined;
    (halves.length === 2 ? tail : head).pop();
  }
  const groupCount = head.length + tail.length + (embedded ? 2 : 0);
  if (halves.length === 1 ? groupCount !== 8 : groupCount > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - groupCount).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  const wordCount = embedded ? 6 : 8;
  for (let index = 0; index < wordCount; index++) {
    const group = groups[index] ?? '';
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  }
  if (embedded) bytes.set(embedded, 12);
  return bytes;
}

export interface CidrBlock {
  readonly network: Uint8Array;
  readonly maskBits: number;
}

/** Reads a dotted quad as an unsigned 32-bit number without allocating; -1 when it is not one. */
function ipv4Number(text: string): number {
  let result = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 46) {
      if (digits === 0 || dots === 3) return -1;
      result = result * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (code >= 48 && code <= 57 && digits < 3) {
      part = part * 10 + (code - 48);
      digits++;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? result * 256 + part : -1;
}

/** A test of whether an address (text) lies inside `block`; IPv4 blocks compare as plain numbers. */
export function cidrMatcher(block: CidrBlock): (address: string) => boolean {
  if (block.network.length === 4) {
    const [a = 0, b = 0, c = 0, d = 0] = block.network;
    const size = 2 ** (32 - block.maskBits);
    const lowest = Math.floor((((a * 256 + b) * 256 + c) * 256 + d) / size) * size;
    return (address) => {
      const value = ipv4Number(address);
      return value >= lowest && value < lowest + size;
    };
  }
  return (address) => cidrContains(block, address);
}

function cidrContains(block: CidrBlock, address: string): boolean {
  const bytes = parseIpAddress(address);
  if (!bytes || bytes.length !== block.network.length) return false;
  let bits = block.maskBits;
  for (let index = 0; bits > 0; index++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[index] ?? 0) & mask) !== ((block.network[index] ?? 0) & mask)) return false;
  }
  return true;
}
