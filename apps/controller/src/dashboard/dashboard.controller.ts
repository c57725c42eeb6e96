import { Controller, Get, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from '../auth/operator-auth.guard.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';
import { loadDashboardAssets } from './dashboard-assets.js';

/** Nothing but this origin's script, style and API; no framing; the page's URL is never sent elsewhere. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * The operators' dashboard: a static page whose script logs in with an operator token and reads
 * the REST API. The page itself is public (it holds no data); it is not part of the API, so it is
 * left out of the OpenAPI document.
 */
@ApiExcludeController()
@PublicRoute()
@Controller()
export class DashboardController {
  private readonly assets = loadDashboardAssets();

  @Get()
  @Redirect('/dashboard', 302)
  root(): void {}

  @Get('dashboard')
  page(@Res() response: Response): void {
    this.send(response, 'index.html');
  }

  @Get('dashboard/:asset')
  asset(@Param('asset') name: string, @Res() response: Response): void {
    this.send(response, name);
  }

  private send(response: Response, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw new DomainError(ErrorCode.NotFound, `no dashboard file ${name}`);
    response.set({ ...SECURITY_HEADERS, 'Content-Type': asset.contentType }).send(asset.body);
  }
}
