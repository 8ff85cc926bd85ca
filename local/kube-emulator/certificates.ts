/**
 * The emulator's TLS: a certificate authority (generated, or reused so several emulators share
 * one CA) and a serving certificate it signs for the loopback names, so clients verify the
 * server with `certificate-authority-data` exactly as they would an EKS endpoint.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';

const crypto = webcrypto;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Loads @peculiar/x509 after the Reflect metadata API its dependency injection needs. */
async function loadX509(): Promise<typeof X509> {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

export interface CertificateAuthorityPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface ServingCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA certificate that signed it. */
  readonly caPem: string;
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return Buffer.from(bytes).toString('hex');
}

async function privateKeyPem(x509: typeof X509, key: webcrypto.CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Generates a self-signed ECDSA P-256 CA, valid for ten years. */
export async function createCertificateAuthority(
  commonName = 'kube-emulator-ca',
): Promise<CertificateAuthorityPem> {
  const x509 = await loadX509();
  const keys = await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=${commonName}`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 3650 * DAY_MS),
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign |
            x509.KeyUsageFlags.cRLSign |
            x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return {
    certPem: certificate.toString('pem'),
    keyPem: await privateKeyPem(x509, keys.privateKey),
  };
}

/**
 * Issues a serving certificate for `hosts` (IP addresses or DNS names), signed by `ca`.
 * The CA key must be ECDSA P-256, as {@link createCertificateAuthority} makes.
 */
export async function issueServingCertificate(
  ca: CertificateAuthorityPem,
  hosts: readonly string[],
): Promise<ServingCertificate> {
  const x509 = await loadX509();
  const caCertificate = new x509.X509Certificate(ca.certPem);
  const caKey = await crypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.keyPem),
    ECDSA,
    false,
    ['sign'],
  );
  const keys = await crypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const now = Date.now();
  const names = [...new Set(hosts)].map((host) => ({
    type: isIP(host) ? ('ip' as const) : ('dns' as const),
    value: host,
  }));
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: 'CN=kube-apiserver',
      issuer: caCertificate.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 365 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(names, false),
        await x509.AuthorityKeyIdentifierExtension.create(caCertificate, false, crypto),
      ],
    },
    crypto,
  );
  return {
    certPem: certificate.toString('pem'),
    keyPem: await privateKeyPem(x509, keys.privateKey),
    caPem: ca.certPem,
  };
}
