// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPublicKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import type { KeyMaterial, SecretParts, SecretSpec } from './key-material.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 365;
const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const CA_CERTIFICATE_FILE = 'ca.crt';
const CA_KEY_FILE = 'ca.key';
const CA_SECRET: SecretSpec = { name: 'cluster-ca', files: { [CA_CERTIFICATE_FILE]: 0o644, [CA_KEY_FILE]: 0o600 } };
/** The name agents verify the controller's certificate against, whatever address they dial. */
export const CONTROLLER_TLS_NAME = 'imagelib-controller';

export interface IssuedCertificate {
  pem: string;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  notAfter: Date;
}

/** The cluster's private CA: created once (see KeyMaterial for where it is kept), signs the controller's and the hosts' certificates. */
export class CertificateAuthority {
  private constructor(
    private readonly certificate: x509.X509Certificate,
    private readonly privateKey: CryptoKey,
    private readonly nodeCertificate: X509Certificate,
  ) {}

  /** The cluster's CA, from where the controller keeps its key material (created on first start). */
  static async loadOrCreate(keys: KeyMaterial): Promise<CertificateAuthority> {
    const parts = await keys.loadOrCreate(CA_SECRET, createCa);
    const certificate = new x509.X509Certificate(parts[CA_CERTIFICATE_FILE] as string);
    const privateKey = await webcrypto.subtle.importKey('pkcs8', fromPem(parts[CA_KEY_FILE] as string), EC_P256, false, ['sign']);
    return new CertificateAuthority(certificate, privateKey as CryptoKey, new X509Certificate(Buffer.from(certificate.rawData)));
  }

  get certificatePem(): string {
    return this.certificate.toString('pem');
  }

  /** "sha256:<hex>" of the CA's public key (SPKI), the value agents pin, as kubeadm's discovery hash. */
  get publicKeyHash(): string {
    return spkiHash(this.nodeCertificate);
  }

  /** A client certificate for a host's public key (ECDSA P-256, SPKI PEM). */
  async issueHostCertificate(hostId: string, publicKeyPem: string): Promise<IssuedCertificate> {
    const publicKey = await importHostPublicKey(publicKeyPem);
    const notAfter = new Date(Date.now() + LEAF_VALIDITY_DAYS * DAY_MS);
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${hostId}`,
      issuer: this.certificate.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter,
      signingAlgorithm: SIGNING,
      publicKey,
      signingKey: this.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate.publicKey),
      ],
    });
    return { pem: certificate.toString('pem'), fingerprint: fingerprintOf(Buffer.from(certificate.rawData)), notAfter };
  }

  /** A fresh key and server certificate for the gRPC endpoint; the chain includes the CA so agents can pin it. */
  async issueServerCertificate(names: string[]): Promise<{ certificateChainPem: string; privateKeyPem: string }> {
    const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const unique = [...new Set([CONTROLLER_TLS_NAME, ...names])];
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${CONTROLLER_TLS_NAME}`,
      issuer: this.certificate.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + LEAF_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: SIGNING,
      publicKey: keys.publicKey,
      signingKey: this.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(unique.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value }))),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey));
    return { certificateChainPem: certificate.toString('pem') + '\n' + this.certificatePem, privateKeyPem: toPem(pkcs8, 'PRIVATE KEY') };
  }

  /**
   * Checks that a client presented a certificate this CA issued for host use and that it is in
   * its validity period. Returns its fingerprint; whether it is still trusted is the store's call.
   */
  verifyHostCertificate(der: Buffer | undefined, now: Date): string {
    if (!der || der.length === 0) throw new DomainError(ErrorCode.Unauthenticated, 'a host credential (client certificate) is required');
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(der);
    } catch {
      throw new DomainError(ErrorCode.Unauthenticated, 'the client certificate cannot be parsed');
    }
    if (!certificate.checkIssued(this.nodeCertificate) || !certificate.verify(this.nodeCertificate.publicKey)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the client certificate was not issued by this controller');
    }
    if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the client certificate has expired or is not yet valid');
    }
    if (!(certificate.keyUsage ?? []).includes(CLIENT_AUTH_OID)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the certificate is not a host credential');
    }
    return fingerprintOf(der);
  }
}

/** A new self-signed CA: its certificate and its private key (PKCS#8), as PEM. */
async function createCa(): Promise<SecretParts> {
  const keys = await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=Image Library CA ${randomBytes(4).toString('hex')}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: SIGNING,
    keys: keys as CryptoKeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey));
  return { [CA_CERTIFICATE_FILE]: certificate.toString('pem'), [CA_KEY_FILE]: toPem(pkcs8, 'PRIVATE KEY') };
}

/** "sha256:<hex>" of a certificate's SubjectPublicKeyInfo. */
export function spkiHash(certificate: X509Certificate): string {
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

export function fingerprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

async function importHostPublicKey(pem: string): Promise<CryptoKey> {
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new DomainError(ErrorCode.InvalidInput, 'public_key_pem is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new DomainError(ErrorCode.InvalidInput, 'public_key_pem must be an ECDSA P-256 key');
  }
  const spki = key.export({ type: 'spki', format: 'der' });
  return (await webcrypto.subtle.importKey('spki', spki, EC_P256, true, ['verify'])) as CryptoKey;
}

function randomSerial(): string {
  // Positive 128-bit serial: clear the top bit.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
