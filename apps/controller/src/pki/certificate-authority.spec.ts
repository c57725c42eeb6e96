import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '../errors/domain-error.js';
import { CertificateAuthority, CONTROLLER_TLS_NAME, spkiHash } from './certificate-authority.js';
import { DataDirectoryKeyMaterial } from './key-material.js';

const p256Pem = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('CertificateAuthority', () => {
  it('is created once, with its key kept 0600, and loaded unchanged afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagelib-ca-'));
    const first = await CertificateAuthority.loadOrCreate(new DataDirectoryKeyMaterial(dir));
    const again = await CertificateAuthority.loadOrCreate(new DataDirectoryKeyMaterial(dir));
    expect(again.certificatePem).toBe(first.certificatePem);
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(first.publicKeyHash).toBe(spkiHash(new X509Certificate(readFileSync(join(dir, 'ca.crt')))));
  });

  it('issues host certificates that it verifies, and openssl agrees', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagelib-ca-'));
    const ca = await CertificateAuthority.loadOrCreate(new DataDirectoryKeyMaterial(dir));
    const issued = await ca.issueHostCertificate('host-1', p256Pem());
    const certificate = new X509Certificate(issued.pem);
    expect(certificate.subject).toBe('CN=host-1');
    expect(ca.verifyHostCertificate(certificate.raw, new Date())).toBe(issued.fingerprint);
    const certPath = join(dir, 'host.pem');
    execFileSync('sh', ['-c', `cat > ${certPath}`], { input: issued.pem });
    expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), '-purpose', 'sslclient', certPath]).toString()).toContain('OK');
  });

  it('refuses certificates of another CA, server certificates, and non-P-256 keys', async () => {
    const ca = await CertificateAuthority.loadOrCreate(new DataDirectoryKeyMaterial(mkdtempSync(join(tmpdir(), 'imagelib-ca-'))));
    const other = await CertificateAuthority.loadOrCreate(new DataDirectoryKeyMaterial(mkdtempSync(join(tmpdir(), 'imagelib-ca-'))));
    const foreign = new X509Certificate((await other.issueHostCertificate('h', p256Pem())).pem);
    expect(() => ca.verifyHostCertificate(foreign.raw, new Date())).toThrow('the client certificate was not issued by this controller');
    const server = await ca.issueServerCertificate(['localhost']);
    const serverLeaf = new X509Certificate(server.certificateChainPem.split('\n\n')[0] as string);
    expect(serverLeaf.subjectAltName).toContain(`DNS:${CONTROLLER_TLS_NAME}`);
    expect(() => ca.verifyHostCertificate(serverLeaf.raw, new Date())).toThrow('the certificate is not a host credential');
    expect(() => ca.verifyHostCertificate(undefined, new Date())).toThrow(DomainError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await expect(ca.issueHostCertificate('h', rsa)).rejects.toThrow('public_key_pem must be an ECDSA P-256 key');
  });
});
