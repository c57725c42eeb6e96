import { X509Certificate } from 'node:crypto';

/** Certificates remembered at most; beyond that the memory starts again (agents just verify once more). */
const MAX_ENTRIES = 10_000;

/**
 * Client certificates already verified (issuer, signature, validity, usage), by their bytes: an agent
 * presents the same certificate on every call, and checking it again each time cost more than the
 * call itself. A certificate is remembered until it expires. Whether its host is still trusted
 * (revocation) is not remembered here: the store is asked on every call.
 */
export class VerifiedCertificates {
  private readonly verified = new Map<string, { fingerprint: string; validUntil: number }>();

  /** `verify` checks a certificate and returns its fingerprint, or throws. */
  constructor(private readonly verify: (der: Buffer | undefined, now: Date) => string) {}

  fingerprint(der: Buffer | undefined, now: Date): string {
    if (!der || der.length === 0) return this.verify(der, now);
    const key = der.toString('base64');
    const known = this.verified.get(key);
    if (known && now.getTime() <= known.validUntil) return known.fingerprint;
    const fingerprint = this.verify(der, now);
    if (this.verified.size >= MAX_ENTRIES) this.verified.clear();
    this.verified.set(key, { fingerprint, validUntil: Date.parse(new X509Certificate(der).validTo) });
    return fingerprint;
  }
}
