import { describe, expect, it } from '@jest/globals';
import { controllerTarget } from './controller-target.js';

describe('controllerTarget', () => {
  it('dials one address as it is, so a DNS name may resolve to every controller', () => {
    expect(controllerTarget(['controllers.example.org:9443'])).toBe('controllers.example.org:9443');
    expect(controllerTarget(['10.0.0.1:9443'])).toBe('10.0.0.1:9443');
  });

  it('lists several IP addresses of one family in one target', () => {
    expect(controllerTarget(['10.0.0.1:9443', '10.0.0.2:9443'])).toBe('ipv4:10.0.0.1:9443,10.0.0.2:9443');
    expect(controllerTarget(['[fd00::1]:9443', '[fd00::2]:9443'])).toBe('ipv6:[fd00::1]:9443,[fd00::2]:9443');
  });

  it('refuses several names, or a mix of families, saying what to give instead', () => {
    expect(() => controllerTarget(['a.example:9443', 'b.example:9443'])).toThrow(/one DNS name that resolves to every controller/);
    expect(() => controllerTarget(['10.0.0.1:9443', '[fd00::2]:9443'])).toThrow(/must all be IPv4 or all IPv6 addresses/);
  });
});
