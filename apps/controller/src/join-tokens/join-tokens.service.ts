import { Inject, Injectable } from '@nestjs/common';
import { type JoinTokenEntity, JoinTokensRepository } from '@imagelib/store';
import { formatSecretToken, generateSecretToken, hashSecret } from '../auth/secret-token.js';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { CertificateAuthority } from '../pki/certificate-authority.js';
import type { CreateJoinTokenDto } from './dto/create-join-token.dto.js';
import type { CreatedJoinTokenDto, JoinTokenDto } from './dto/join-token.dto.js';

/** kubeadm's bootstrap token shape: six and sixteen characters of [a-z0-9]. */
export const JOIN_TOKEN_ID_LENGTH = 6;
export const JOIN_TOKEN_SECRET_LENGTH = 16;
const DEFAULT_TTL_SECONDS = 86_400;

@Injectable()
export class JoinTokensService {
  constructor(
    private readonly tokens: JoinTokensRepository,
    private readonly ca: CertificateAuthority,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  async create(input: CreateJoinTokenDto): Promise<CreatedJoinTokenDto> {
    const token = generateSecretToken(JOIN_TOKEN_ID_LENGTH, JOIN_TOKEN_SECRET_LENGTH);
    const record = await this.tokens.create({
      id: token.id,
      secretHash: hashSecret(token.secret),
      description: input.description ?? '',
      expiresAt: new Date(Date.now() + (input.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000),
      maxUses: input.maxUses ?? 1,
    });
    const secret = formatSecretToken(token);
    const controllerAddress = `${this.config.hostname}:${this.config.grpc.port}`;
    return {
      ...toDto(record),
      token: secret,
      caCertHash: this.ca.publicKeyHash,
      controllerAddress,
      agentCommand: `imagelib-agent --controller ${controllerAddress} --join-token ${secret} --ca-cert-hash ${this.ca.publicKeyHash}`,
    };
  }

  async list(): Promise<JoinTokenDto[]> {
    return (await this.tokens.list()).map(toDto);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.tokens.delete(id))) throw new DomainError(ErrorCode.NotFound, `join token ${id} not found`);
  }
}

function toDto(record: JoinTokenEntity): JoinTokenDto {
  return {
    id: record.id,
    description: record.description,
    expiresAt: record.expiresAt.toISOString(),
    maxUses: record.maxUses,
    uses: record.uses,
    createdAt: record.createdAt.toISOString(),
  };
}
