import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client is throttled under: its IPv4 address, or the /64 network of an IPv6 one (one host is routinely
 * given a whole /64, so per-address buckets would give it 2^64 of them). IPv4-mapped IPv6 addresses count as the
 * IPv4 address, so a dual-stack listener does not give one client two buckets. Anything unreadable shares one key.
 */
export function throttleKeyOf(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (isIPv6(address)) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return 'unknown';
}

/**
 * The address in a grpc-js peer string: `host:port`, `[v6]:port`, or the older `ipv4:` / `ipv6:` prefixed forms.
 * grpc-js names the peer only this way (there is no socket on the call).
 */
export function addressOfGrpcPeer(peer: string): string | undefined {
  const unprefixed = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(unprefixed);
  if (bracketed) return bracketed[1];
  // The port goes first: `::1:5432` is itself a valid IPv6 address, but grpc-js appends a port to every TCP peer.
  const withPort = /^(.+):\d+$/.exec(unprefixed);
  if (withPort && (isIPv4(withPort[1]!) || isIPv6(withPort[1]!))) return withPort[1];
  return isIPv4(unprefixed) || isIPv6(unprefixed) ? unprefixed : undefined;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and leading zeros dropped (a zone id is ignored). */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.toLowerCase().split('::');
  const groupsOf = (part: string) => (part ? part.split(':').flatMap(dottedAsGroups) : []);
  const [first, last] = [groupsOf(head), groupsOf(tail ?? '')];
  const zeros = tail === undefined ? [] : Array<string>(8 - first.length - last.length).fill('0');
  return [...first, ...zeros, ...last].map((group) => parseInt(group, 16).toString(16));
}

/** An embedded IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) stands for two groups. */
function dottedAsGroups(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
