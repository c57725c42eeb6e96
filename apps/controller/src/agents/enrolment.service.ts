import { Injectable, Logger } from '@nestjs/common';
import { HostsRepository, JoinTokensRepository } from '@imagelib/store';
import type { EnrollRequest__Output, EnrollResponse } from '@imagelib/proto';
import { randomUUID } from 'node:crypto';
import { parseSecretToken, secretMatches } from '../auth/secret-token.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { JOIN_TOKEN_ID_LENGTH, JOIN_TOKEN_SECRET_LENGTH } from '../join-tokens/join-tokens.service.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';

const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const REGION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/** Turns a join token and a public key into a host identity and its client certificate. */
@Injectable()
export class EnrolmentService {
  private readonly logger = new Logger(EnrolmentService.name);

  constructor(
    private readonly hosts: HostsRepository,
    private readonly joinTokens: JoinTokensRepository,
    private readonly ca: CertificateAuthority,
  ) {}

  async enrol(request: EnrollRequest__Output): Promise<EnrollResponse> {
    const parsed = parseSecretToken(request.joinToken, JOIN_TOKEN_ID_LENGTH, JOIN_TOKEN_SECRET_LENGTH);
    const token = parsed ? await this.joinTokens.findById(parsed.id) : null;
    if (!parsed || !token || !secretMatches(parsed.secret, token.secretHash)) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the join token is not valid');
    }
    const now = new Date();
    if (token.expiresAt <= now) throw new DomainError(ErrorCode.Unauthenticated, `the join token ${token.id} expired at ${token.expiresAt.toISOString()}`);
    if (token.uses >= token.maxUses) throw new DomainError(ErrorCode.Unauthenticated, `the join token ${token.id} is used up (${token.uses} of ${token.maxUses})`);
    if (!HOSTNAME.test(request.hostname)) throw new DomainError(ErrorCode.InvalidInput, 'hostname must be a valid DNS host name');
    const region = request.region || 'default';
    if (!REGION.test(region)) throw new DomainError(ErrorCode.InvalidInput, 'region must be 1-64 letters, digits, dots, dashes or underscores');

    const hostId = randomUUID();
    const certificate = await this.ca.issueHostCertificate(hostId, request.publicKeyPem);
    const result = await this.hosts.enrol({
      hostId,
      hostname: request.hostname,
      region,
      agentVersion: request.agentVersion.slice(0, 64),
      joinTokenId: token.id,
      credential: { fingerprint: certificate.fingerprint, notAfter: certificate.notAfter },
      now,
    });
    if (!result.ok && result.reason === 'hostname-taken') {
      throw new DomainError(
        ErrorCode.Forbidden,
        `host name ${request.hostname} is already enrolled as host ${result.existingHostId}; remove that host (DELETE /api/v1/hosts/${result.existingHostId}) to enrol it again`,
      );
    }
    if (!result.ok) throw new DomainError(ErrorCode.Unauthenticated, `the join token ${token.id} is expired or used up`);
    this.logger.log(`enrolled host ${hostId} (${request.hostname}, region ${region}) with join token ${token.id}`);
    return { hostId, certificatePem: certificate.pem, caCertificatePem: this.ca.certificatePem };
  }
}
