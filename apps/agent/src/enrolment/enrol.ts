import type { ServiceError } from '@grpc/grpc-js';
import type { EnrollResponse__Output } from '@imagelib/proto';
import { generateKeyPairSync } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { AgentConfig } from '../config/agent-config.js';
import { createGatewayClient, splitAddress } from '../link/gateway-client.js';
import type { Logger } from '../log.js';
import { fetchPinnedCa } from './ca-pin.js';
import { type Credential, readCredential, saveCredential } from './credential.js';

/** Thrown when the agent cannot become a host without the operator's help (bad or missing token). */
export class EnrolmentRefused extends Error {}

/** Returns the host credential, enrolling first with the join token if there is none yet. */
export async function ensureCredential(config: AgentConfig, log: Logger): Promise<Credential> {
  // The state directory must be usable before the join token is spent on a credential nobody could keep.
  await mkdir(config.stateDir, { recursive: true, mode: 0o700 });
  await access(config.stateDir, constants.W_OK);
  const existing = readCredential(config.credentialPath);
  if (existing) return existing;
  if (!config.joinToken || !config.caCertHash) {
    throw new EnrolmentRefused('this host is not enrolled yet: give --join-token and --ca-cert-hash (from POST /api/v1/join-tokens)');
  }
  const caCertificatePem = await fetchFirstPinnedCa(config.controllerAddresses, config.caCertHash);
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const client = createGatewayClient(config.controllerTarget, { caCertificatePem });
  try {
    const response = await new Promise<EnrollResponse__Output>((resolve, reject) =>
      client.Enroll(
        {
          joinToken: config.joinToken,
          hostname: config.hostname,
          region: config.region,
          publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          agentVersion: config.version,
        },
        { deadline: Date.now() + 15_000 },
        (error: ServiceError | null, value?: EnrollResponse__Output) => (error || !value ? reject(error) : resolve(value)),
      ),
    );
    const credential: Credential = {
      hostId: response.hostId,
      privateKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      certificatePem: response.certificatePem,
      caCertificatePem,
    };
    await saveCredential(config.credentialPath, credential);
    log.info({ hostId: credential.hostId }, 'enrolled with the controller');
    return credential;
  } catch (error) {
    const grpcError = error as Partial<ServiceError>;
    // 7 PERMISSION_DENIED, 16 UNAUTHENTICATED, 3 INVALID_ARGUMENT: retrying will not help.
    if (grpcError.code === 7 || grpcError.code === 16 || grpcError.code === 3) throw new EnrolmentRefused(`enrolment refused: ${grpcError.details}`);
    throw error;
  } finally {
    client.close();
  }
}

/** The pinned CA from the first controller that answers; every controller presents the same CA. */
async function fetchFirstPinnedCa(addresses: readonly string[], pinnedHash: string): Promise<string> {
  const failures: string[] = [];
  for (const address of addresses) {
    const { host, port } = splitAddress(address);
    try {
      return await fetchPinnedCa(host, port, pinnedHash);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(failures.join('; '));
}
