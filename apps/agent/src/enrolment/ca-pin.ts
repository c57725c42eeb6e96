import { createHash, X509Certificate } from 'node:crypto';
import { connect, type DetailedPeerCertificate } from 'node:tls';

/**
 * Fetches the CA that the controller's TLS endpoint presents and accepts it only if the hash of its
 * public key equals the pinned one (kubeadm's --discovery-token-ca-cert-hash): trust on the
 * operator's word, not on the network.
 */
export async function fetchPinnedCa(host: string, port: number, pinnedHash: string, timeoutMs = 10_000): Promise<string> {
  const chain = await peerChain(host, port, timeoutMs);
  const leaf = chain[0];
  const ca = chain.find((certificate) => spkiHash(certificate) === pinnedHash);
  if (!leaf || !ca) {
    throw new Error(`the controller at ${host}:${port} presented no CA whose public key hash is ${pinnedHash}; refusing to trust it`);
  }
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
    throw new Error(`the controller's certificate at ${host}:${port} is not signed by the pinned CA`);
  }
  return ca.toString();
}

export function spkiHash(certificate: X509Certificate): string {
  return `sha256:${createHash('sha256').update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('hex')}`;
}

function peerChain(host: string, port: number, timeoutMs: number): Promise<X509Certificate[]> {
  return new Promise((resolve, reject) => {
    // Not verified here on purpose: the chain is checked against the pin above.
    const socket = connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'], servername: 'imagelib-controller' });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('secureConnect', () => {
      const chain: X509Certificate[] = [];
      const seen = new Set<string>();
      for (let peer: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true); peer?.raw && !seen.has(peer.fingerprint256); peer = peer.issuerCertificate) {
        seen.add(peer.fingerprint256);
        chain.push(new X509Certificate(peer.raw));
      }
      clearTimeout(timer);
      socket.destroy();
      resolve(chain);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
