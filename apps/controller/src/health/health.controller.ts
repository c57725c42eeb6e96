import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Store } from '@imagelib/store';
import { PublicRoute } from '../auth/operator-auth.guard.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';

/** A readiness check waits this long for its write (a locked database makes writers wait up to 5 s). */
const READINESS_WRITE_TIMEOUT_MS = 2000;

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
  @ApiOkResponse({ description: 'The database takes writes' })
  @ApiServiceUnavailableResponse({ description: 'The database cannot be written (read-only, locked, unreachable), with the reason' })
  async readyz(): Promise<{ status: 'ready' }> {
    const reason = await this.store.unwritableReason(READINESS_WRITE_TIMEOUT_MS);
    if (reason) throw new DomainError(ErrorCode.Unavailable, `the database cannot be written: ${reason}`);
    return { status: 'ready' };
  }
}
