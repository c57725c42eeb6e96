import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type OperatorScope, OperatorTokensRepository } from '@imagelib/store';
import { writeFileAtomic } from '@imagelib/durable-fs';
import { join } from 'node:path';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { formatSecretToken, generateSecretToken, hashSecret, parseSecretToken, secretMatches } from './secret-token.js';

export const OPERATOR_TOKEN_ID_LENGTH = 8;
export const OPERATOR_TOKEN_SECRET_LENGTH = 32;

export interface OperatorIdentity {
  tokenId: string;
  name: string;
  scope: OperatorScope;
}

/** Operators' bearer tokens: verifies them, and creates the first admin token on first start. */
@Injectable()
export class OperatorTokensService implements OnApplicationBootstrap {
  private readonly logger = new Logger(OperatorTokensService.name);

  constructor(
    private readonly tokens: OperatorTokensRepository,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  get adminTokenPath(): string {
    return join(this.config.dataDir, 'admin-token');
  }

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.tokens.countActive()) > 0) {
      this.logger.log(`operator admin token: ${this.adminTokenPath}`);
      return;
    }
    const token = generateSecretToken(OPERATOR_TOKEN_ID_LENGTH, OPERATOR_TOKEN_SECRET_LENGTH);
    // Write the file first: a crash in between leaves a token nobody can use rather than one nobody knows.
    await writeFileAtomic(this.adminTokenPath, `${formatSecretToken(token)}\n`, 0o600);
    await this.tokens.create({ id: token.id, secretHash: hashSecret(token.secret), name: 'admin', scope: 'admin' });
    this.logger.log(`created the operator admin token in ${this.adminTokenPath} (mode 0600)`);
  }

  async verify(bearer: string): Promise<OperatorIdentity> {
    const parsed = parseSecretToken(bearer, OPERATOR_TOKEN_ID_LENGTH, OPERATOR_TOKEN_SECRET_LENGTH);
    const record = parsed ? await this.tokens.findById(parsed.id) : null;
    if (!parsed || !record || !secretMatches(parsed.secret, record.secretHash) || record.revokedAt) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the operator token is not valid');
    }
    return { tokenId: record.id, name: record.name, scope: record.scope };
  }
}
