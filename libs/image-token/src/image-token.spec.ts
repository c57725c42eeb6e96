import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { signImageToken, verifyImageToken } from './image-token.js';

describe('image tokens', () => {
  const keys = generateKeyPairSync('ed25519');
  const claims = { subject: 'nova', project: 'p1', admin: false, expiresAt: 2_000 };

  it('verifies what was signed, with the PEM or the key', () => {
    const token = signImageToken(keys.privateKey, claims);
    expect(verifyImageToken(keys.publicKey, token, 1_000)).toEqual(claims);
    expect(verifyImageToken(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), token, 1_000)).toEqual(claims);
  });

  it('refuses expired, tampered, foreign and malformed tokens', () => {
    const token = signImageToken(keys.privateKey, claims);
    expect(() => verifyImageToken(keys.publicKey, token, 2_000)).toThrow('token expired');
    const [prefix, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'nova', prj: 'p1', adm: true, exp: 2_000 })).toString('base64url');
    expect(() => verifyImageToken(keys.publicKey, `${prefix}.${forged}.${signature}`, 1_000)).toThrow('bad token signature');
    const other = generateKeyPairSync('ed25519');
    expect(() => verifyImageToken(keys.publicKey, signImageToken(other.privateKey, claims), 1_000)).toThrow('bad token signature');
    for (const bad of ['', 'x', 'ilt1.a', 'ilt2.a.b', `ilt1.${'a'.repeat(5000)}.b`]) expect(() => verifyImageToken(keys.publicKey, bad, 1_000)).toThrow('malformed token');
  });
});
