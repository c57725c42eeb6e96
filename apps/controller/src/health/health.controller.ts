import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Store } from '@imagelib/store';
import { PublicRoute } from '../auth/operator-auth.guard.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';

@ApiTags('health')
@PublicRoute()
@Controller()
export class HealthController {
  constructor(private readonly store: Store) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is alive' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'The database answers' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer' })
  async readyz(): Promise<{ status: 'ready' }> {
    if (!(await this.store.isReachable())) throw new DomainError(ErrorCode.Unavailable, 'the database is not reachable');
    return { status: 'ready' };
  }
}
