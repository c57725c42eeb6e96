import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { type OperatorIdentity, OperatorTokensService } from './operator-tokens.service.js';

const PUBLIC_ROUTE = 'imagelib:public';
/** Marks a route that needs no operator token (health probes). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
const READS_ONLY = 'imagelib:reads-only';
/** Marks a POST that changes nothing an operator owns (a ticket to watch events): read-only tokens may call it. */
export const ReadsOnly = () => SetMetadata(READS_ONLY, true);

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every REST route needs `Authorization: Bearer <token>`; read-only tokens may only read. */
@Injectable()
export class OperatorAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly operatorTokens: OperatorTokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request & { operator?: OperatorIdentity }>();
    const header = request.headers.authorization;
    const match = header ? /^Bearer (\S+)$/i.exec(header) : null;
    if (!match) throw new DomainError(ErrorCode.Unauthenticated, 'an operator token is required: Authorization: Bearer <token>');
    const operator = await this.operatorTokens.verify(match[1] as string);
    const readsOnly = READ_METHODS.has(request.method) || this.reflector.getAllAndOverride<boolean>(READS_ONLY, [context.getHandler(), context.getClass()]);
    if (operator.scope !== 'admin' && !readsOnly) {
      throw new DomainError(ErrorCode.Forbidden, `the token "${operator.name}" is read-only`);
    }
    request.operator = operator;
    return true;
  }
}
