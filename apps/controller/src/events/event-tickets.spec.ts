import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { OperatorIdentity } from '../auth/operator-tokens.service.js';
import { DomainError } from '../errors/domain-error.js';
import { EventTickets, MAX_OUTSTANDING_TICKETS, TICKET_TTL_MS } from './event-tickets.js';

const OPERATOR: OperatorIdentity = { tokenId: 'abcdefgh', name: 'admin', scope: 'admin' };

describe('EventTickets', () => {
  let tickets: EventTickets;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    tickets = new EventTickets();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('issues unguessable tickets that redeem once for the operator they were issued to', () => {
    const issued = tickets.issue(OPERATOR);
    expect(issued.ticket).toMatch(/^[\w-]{43}$/);
    expect(issued.expiresAt.getTime()).toBe(Date.now() + TICKET_TTL_MS);
    expect(tickets.issue(OPERATOR).ticket).not.toBe(issued.ticket);
    expect(tickets.redeem(issued.ticket)).toEqual(OPERATOR);
    expect(() => tickets.redeem(issued.ticket)).toThrow('the event stream ticket is not valid (unknown, used or expired); get a new one');
  });

  it('refuses unknown and expired tickets', () => {
    expect(() => tickets.redeem('')).toThrow(DomainError);
    const issued = tickets.issue(OPERATOR);
    jest.advanceTimersByTime(TICKET_TTL_MS);
    expect(() => tickets.redeem(issued.ticket)).toThrow(DomainError);
  });

  it('bounds the tickets waiting to be redeemed, and frees the expired ones', () => {
    for (let i = 0; i < MAX_OUTSTANDING_TICKETS; i++) tickets.issue(OPERATOR);
    expect(() => tickets.issue(OPERATOR)).toThrow('too many event stream tickets are outstanding; try again in a few seconds');
    jest.advanceTimersByTime(TICKET_TTL_MS);
    expect(() => tickets.issue(OPERATOR)).not.toThrow();
  });
});
