import { isIPv4, isIPv6 } from 'node:net';
import { splitAddress } from './gateway-client.js';

/**
 * The gRPC target for the controllers' addresses. One `host:port` is dialled as it is: a DNS name
 * that resolves to several controllers gives the channel all of them. Several addresses must be IP
 * addresses of one family, joined into an `ipv4:` or `ipv6:` target. Either way the channel picks one
 * controller (in shuffled order, so a fleet spreads over them) and moves to another when it fails.
 * Throws with what is wrong.
 */
export function controllerTarget(addresses: readonly string[]): string {
  if (addresses.length === 1) return addresses[0]!;
  const hosts = addresses.map((address) => splitAddress(address).host);
  if (hosts.every((host) => isIPv4(host))) return `ipv4:${addresses.join(',')}`;
  if (hosts.every((host) => isIPv6(host))) return `ipv6:${addresses.join(',')}`;
  throw new Error('several controller addresses must all be IPv4 or all IPv6 addresses; for names, give one DNS name that resolves to every controller');
}
