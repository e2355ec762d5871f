import { addressOfGrpcPeer, throttleKeyOf } from './client-address';

describe('client addresses for throttling', () => {
  it('throttles IPv4 per address, and IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(throttleKeyOf('127.0.0.1')).toBe('127.0.0.1');
    expect(throttleKeyOf('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(throttleKeyOf('::FFFF:10.1.2.3')).toBe('10.1.2.3');
  });

  it('throttles IPv6 per /64, however the address is written', () => {
    expect(throttleKeyOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(throttleKeyOf('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(throttleKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleKeyOf('2001:db8:0:0:ffff::')).toBe('2001:db8:0:0::/64');
    expect(throttleKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(throttleKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(throttleKeyOf('1:2::3:4:5:1.2.3.4')).toBe('1:2:0:3::/64');
  });

  it('puts what it cannot read under one key', () => {
    expect(throttleKeyOf(undefined)).toBe('unknown');
    expect(throttleKeyOf('')).toBe('unknown');
    expect(throttleKeyOf('not an address')).toBe('unknown');
  });

  it('reads the address out of a grpc-js peer string', () => {
    expect(addressOfGrpcPeer('127.0.0.1:54321')).toBe('127.0.0.1');
    expect(addressOfGrpcPeer('::1:54321')).toBe('::1');
    expect(addressOfGrpcPeer('::1:5432')).toBe('::1');
    expect(addressOfGrpcPeer('::ffff:127.0.0.1:5432')).toBe('::ffff:127.0.0.1');
    expect(addressOfGrpcPeer('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(addressOfGrpcPeer('ipv4:10.0.0.1:50051')).toBe('10.0.0.1');
    expect(addressOfGrpcPeer('ipv6:[::1]:50051')).toBe('::1');
    expect(addressOfGrpcPeer('10.0.0.1')).toBe('10.0.0.1');
    expect(addressOfGrpcPeer('unknown')).toBeUndefined();
    expect(addressOfGrpcPeer('')).toBeUndefined();
  });
});
