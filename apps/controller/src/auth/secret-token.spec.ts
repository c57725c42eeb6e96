import { describe, expect, it } from '@jest/globals';
import { formatSecretToken, generateSecretToken, hashSecret, parseSecretToken, secretMatches } from './secret-token.js';

describe('secret tokens', () => {
  it('round-trips "<id>.<secret>" and matches only the right secret', () => {
    const token = generateSecretToken(6, 16);
    expect(formatSecretToken(token)).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(parseSecretToken(formatSecretToken(token), 6, 16)).toEqual(token);
    const hash = hashSecret(token.secret);
    expect(secretMatches(token.secret, hash)).toBe(true);
    expect(secretMatches(`${token.secret.slice(1)}x`, hash)).toBe(false);
  });

  it.each(['', 'abcdef', 'abcdef.', 'ABCDEF.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef.0123456789abcdef\n', 'abcdef.0123456789abcdef.x'])(
    'rejects %j',
    (value) => expect(parseSecretToken(value, 6, 16)).toBeNull(),
  );
});
