import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ClusterSecretsRepository, type OperatorScope, type OperatorTokenEntity, OperatorTokensRepository } from '@imagelib/store';
import { writeFileAtomic } from '@imagelib/durable-fs';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import type { CreatedOperatorTokenDto, OperatorTokenDto } from './dto/operator-token.dto.js';
import { formatSecretToken, generateSecretToken, hashSecret, parseSecretToken, type SecretToken, secretMatches } from './secret-token.js';

export const OPERATOR_TOKEN_ID_LENGTH = 8;
export const OPERATOR_TOKEN_SECRET_LENGTH = 32;
/** The cluster secret naming the first admin token: whoever stores it first creates that token. */
const FIRST_ADMIN_TOKEN_CLAIM = 'first-admin-token';
const FIRST_ADMIN_TOKEN_ELSEWHERE = "the first admin token's file is in the data directory of the controller that created it";

export interface OperatorIdentity {
  tokenId: string;
  name: string;
  scope: OperatorScope;
}

/** Operators' bearer tokens: verifies them, creates the first admin token on first start (one controller of several), issues and revokes others. */
@Injectable()
export class OperatorTokensService implements OnApplicationBootstrap {
  private readonly logger = new Logger(OperatorTokensService.name);

  constructor(
    private readonly tokens: OperatorTokensRepository,
    private readonly secrets: ClusterSecretsRepository,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  get adminTokenPath(): string {
    return join(this.config.dataDir, 'admin-token');
  }

  /**
   * Creates the first admin token when there is no token yet. Of controllers starting at once on one
   * database, the one whose claim is stored first creates it and keeps it in its own data directory;
   * the others keep no admin-token file. A token already in the file is the one offered (a controller
   * that stopped between its claim and the token, or that kept its tokens in sqlite before).
   */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.tokens.countActive()) > 0) {
      this.logger.log(existsSync(this.adminTokenPath) ? `operator admin token: ${this.adminTokenPath}` : `no admin-token file here: ${FIRST_ADMIN_TOKEN_ELSEWHERE}`);
      return;
    }
    let token = await this.tokenInFile();
    if (!token) {
      token = generateSecretToken(OPERATOR_TOKEN_ID_LENGTH, OPERATOR_TOKEN_SECRET_LENGTH);
      // Write the file first: a crash in between leaves a token nobody can use rather than one nobody knows.
      await writeFileAtomic(this.adminTokenPath, `${formatSecretToken(token)}\n`, 0o600);
    }
    const claimed = await this.secrets.keepFirst(FIRST_ADMIN_TOKEN_CLAIM, token.id);
    if (claimed !== token.id) {
      await rm(this.adminTokenPath, { force: true });
      this.logger.log(`the first operator admin token (${claimed}) is another controller's: ${FIRST_ADMIN_TOKEN_ELSEWHERE}`);
      return;
    }
    await this.tokens.create({ id: token.id, secretHash: hashSecret(token.secret), name: 'admin', scope: 'admin' });
    this.logger.log(`created the operator admin token in ${this.adminTokenPath} (mode 0600)`);
  }

  /** The token in the admin-token file, if there is one, well formed. */
  private async tokenInFile(): Promise<SecretToken | null> {
    const content = await readFile(this.adminTokenPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return parseSecretToken(content.trim(), OPERATOR_TOKEN_ID_LENGTH, OPERATOR_TOKEN_SECRET_LENGTH);
  }

  async verify(bearer: string): Promise<OperatorIdentity> {
    const parsed = parseSecretToken(bearer, OPERATOR_TOKEN_ID_LENGTH, OPERATOR_TOKEN_SECRET_LENGTH);
    const record = parsed ? await this.tokens.findById(parsed.id) : null;
    if (!parsed || !record || !secretMatches(parsed.secret, record.secretHash) || record.revokedAt) {
      throw new DomainError(ErrorCode.Unauthenticated, 'the operator token is not valid');
    }
    return { tokenId: record.id, name: record.name, scope: record.scope };
  }

  async create(name: string, scope: OperatorScope): Promise<CreatedOperatorTokenDto> {
    const token = generateSecretToken(OPERATOR_TOKEN_ID_LENGTH, OPERATOR_TOKEN_SECRET_LENGTH);
    const record = await this.tokens.create({ id: token.id, secretHash: hashSecret(token.secret), name, scope });
    this.logger.log(`created the ${scope} operator token ${record.id} (${name})`);
    return { ...toDto(record), token: formatSecretToken(token) };
  }

  async list(): Promise<OperatorTokenDto[]> {
    return (await this.tokens.list()).map(toDto);
  }

  async revoke(id: string): Promise<void> {
    const outcome = await this.tokens.revoke(id, new Date());
    if (outcome === 'not-found') throw new DomainError(ErrorCode.NotFound, `operator token ${id} not found`);
    if (outcome === 'last-admin') throw new DomainError(ErrorCode.Conflict, `operator token ${id} is the last admin token; create another admin token first`);
    this.logger.log(`revoked the operator token ${id}`);
  }
}

function toDto(record: OperatorTokenEntity): OperatorTokenDto {
  return { id: record.id, name: record.name, scope: record.scope, createdAt: record.createdAt.toISOString(), revokedAt: record.revokedAt?.toISOString() ?? null };
}
