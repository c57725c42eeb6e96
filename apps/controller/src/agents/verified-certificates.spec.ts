import { describe, expect, it, jest } from '@jest/globals';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import { DataDirectoryKeyMaterial } from '../pki/key-material.js';
import { VerifiedCertificates } from './verified-certificates.js';

const p256Pem = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('VerifiedCertificates', () => {
  it('verifies a certificate once while it is valid, every other one each time it is shown', async () => {
    const ca = await CertificateAuthority.loadOrCreate(new DataDirectoryKeyMaterial(mkdtempSync(join(tmpdir(), 'imagelib-ca-'))));
    const other = await CertificateAuthority.loadOrCreate(new DataDirectoryKeyMaterial(mkdtempSync(join(tmpdir(), 'imagelib-ca-'))));
    const verify = jest.fn((der: Buffer | undefined, now: Date) => ca.verifyHostCertificate(der, now));
    const certificates = new VerifiedCertificates(verify);
    const issued = await ca.issueHostCertificate('host-1', p256Pem());
    const der = new X509Certificate(issued.pem).raw;
    const now = new Date();
    expect(certificates.fingerprint(der, now)).toBe(issued.fingerprint);
    expect(certificates.fingerprint(Buffer.from(der), now)).toBe(issued.fingerprint);
    expect(verify).toHaveBeenCalledTimes(1);

    const foreign = new X509Certificate((await other.issueHostCertificate('h', p256Pem())).pem).raw;
    expect(() => certificates.fingerprint(foreign, now)).toThrow('the client certificate was not issued by this controller');
    expect(() => certificates.fingerprint(foreign, now)).toThrow('the client certificate was not issued by this controller');
    expect(() => certificates.fingerprint(undefined, now)).toThrow('a host credential (client certificate) is required');

    // Past its expiry it is checked again, and refused.
    const afterExpiry = new Date(Date.parse(new X509Certificate(der).validTo) + 1000);
    expect(() => certificates.fingerprint(der, afterExpiry)).toThrow('the client certificate has expired or is not yet valid');
  });
});
