import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { OperatorIdentity } from '../auth/operator-tokens.service.js';
import { DomainError, ErrorCode } from '../errors/domain-error.js';

/** How long a ticket can be redeemed after it was issued. */
export const TICKET_TTL_MS = 30_000;
/** Tickets waiting to be redeemed at once; more are refused until some expire or are used. */
export const MAX_OUTSTANDING_TICKETS = 1000;

export interface IssuedTicket {
  ticket: string;
  expiresAt: Date;
}

interface Outstanding {
  operator: OperatorIdentity;
  expiresAt: number;
}

/**
 * Tickets for the event stream. A browser's EventSource cannot send an Authorization header, so
 * the page trades its operator token for a ticket (POST with the Bearer token) and opens the
 * stream with `?ticket=`. A ticket is random (256 bits), used once, valid for TICKET_TTL_MS and
 * kept only as its SHA-256 in memory: one that leaks through a URL in a log is already spent or
 * about to expire, and the stream it opens carries no data, only which views are stale.
 */
@Injectable()
export class EventTickets {
  private readonly outstanding = new Map<string, Outstanding>();

  issue(operator: OperatorIdentity): IssuedTicket {
    this.dropExpired();
    if (this.outstanding.size >= MAX_OUTSTANDING_TICKETS) throw new DomainError(ErrorCode.Unavailable, 'too many event stream tickets are outstanding; try again in a few seconds');
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + TICKET_TTL_MS;
    this.outstanding.set(digest(ticket), { operator, expiresAt });
    return { ticket, expiresAt: new Date(expiresAt) };
  }

  /** The operator the ticket was issued to; the ticket cannot be used again. */
  redeem(ticket: string): OperatorIdentity {
    const key = digest(ticket);
    const found = this.outstanding.get(key);
    this.outstanding.delete(key);
    if (!found || found.expiresAt <= Date.now()) throw new DomainError(ErrorCode.Unauthenticated, 'the event stream ticket is not valid (unknown, used or expired); get a new one');
    return found.operator;
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [key, { expiresAt }] of this.outstanding) if (expiresAt <= now) this.outstanding.delete(key);
  }
}

function digest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}
