import { Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiQuery, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PublicRoute, ReadsOnly } from '../auth/operator-auth.guard.js';
import type { OperatorIdentity } from '../auth/operator-tokens.service.js';
import { EventTicketDto } from './dto/event-ticket.dto.js';
import { EventStreams } from './event-streams.service.js';
import { EventTickets } from './event-tickets.js';

@ApiTags('events')
@Controller('api/v1/events')
export class EventsController {
  constructor(
    private readonly tickets: EventTickets,
    private readonly streams: EventStreams,
  ) {}

  @Post('tickets')
  @ReadsOnly()
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: EventTicketDto, description: 'A single-use ticket for the event stream (EventSource cannot send Authorization)' })
  issueTicket(@Req() request: Request & { operator: OperatorIdentity }): EventTicketDto {
    const issued = this.tickets.issue(request.operator);
    return { ticket: issued.ticket, expiresAt: issued.expiresAt.toISOString() };
  }

  @Get()
  @PublicRoute()
  @ApiQuery({ name: 'ticket', required: true, description: 'From POST /api/v1/events/tickets; used up by this call' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-sent events: `hello` once, then `change` with {seq, changes, views} at most every 250 ms while the hosts, roles, catalog or image statuses change; the views (hosts, images, endpoints) are to be read again from the REST API. Ends after 10 minutes: reconnect with a new ticket.',
  })
  @ApiUnauthorizedResponse({ description: 'The ticket is unknown, used or expired' })
  @ApiServiceUnavailableResponse({ description: 'Too many streams are open' })
  stream(@Query('ticket') ticket: unknown, @Res() response: Response): void {
    this.streams.start(response, this.tickets.redeem(typeof ticket === 'string' ? ticket : ''));
  }
}
