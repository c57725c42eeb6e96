import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { AgentGatewayClient, AgentMessage, HostFacts } from '@imagelib/proto';
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import { ControllerLink, type ControllerLinkHandlers, HELLO_FACTS_WAIT_MS, WELCOME_WAIT_MS } from './controller-link.js';

/** The agent's stream as the link uses it: what it wrote. */
class RecordingStream extends EventEmitter {
  readonly written: AgentMessage[] = [];
  write(message: AgentMessage): boolean {
    this.written.push(message);
    return true;
  }
  cancel(): void {}
}

const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
const handlers = { hello: () => ({ roles: [], catalogRevision: 7 }) } as unknown as ControllerLinkHandlers;
const FACTS: HostFacts = { hostname: 'host-a' };

describe('ControllerLink', () => {
  let streams: RecordingStream[];
  let client: AgentGatewayClient;

  beforeEach(() => {
    jest.useFakeTimers();
    streams = [];
    client = { Connect: () => streams[streams.push(new RecordingStream()) - 1] } as unknown as AgentGatewayClient;
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('says hello with fresh facts when they come quickly', async () => {
    const link = new ControllerLink(client, { agentVersion: '1', collectFacts: async () => FACTS }, handlers, log);
    link.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(streams[0]?.written[0]?.hello).toMatchObject({ agentVersion: '1', facts: FACTS, catalogRevision: 7 });
    link.stop();
  });

  it('does not wait for facts that hang: hello goes after HELLO_FACTS_WAIT_MS, the facts once collected', async () => {
    let collected: (facts: HostFacts) => void = () => undefined;
    const link = new ControllerLink(client, { agentVersion: '1', collectFacts: () => new Promise((resolve) => (collected = resolve)) }, handlers, log);
    link.start();
    await jest.advanceTimersByTimeAsync(HELLO_FACTS_WAIT_MS - 1);
    expect(streams).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(streams[0]?.written[0]?.hello).toMatchObject({ facts: {}, catalogRevision: 7 });
    collected(FACTS);
    await jest.advanceTimersByTimeAsync(0);
    expect(streams[0]?.written[1]).toEqual({ facts: FACTS });
    link.stop();
  });

  it('gives up a stream the controller never welcomes and tries again', async () => {
    const link = new ControllerLink(client, { agentVersion: '1', collectFacts: async () => FACTS }, handlers, log);
    link.start();
    await jest.advanceTimersByTimeAsync(WELCOME_WAIT_MS - 1);
    expect(streams).toHaveLength(1);
    // The first retry waits one backoff step (at most 250 ms).
    await jest.advanceTimersByTimeAsync(1 + 1000);
    expect(streams).toHaveLength(2);
    link.stop();
  });

  it('keeps a welcomed stream past WELCOME_WAIT_MS', async () => {
    const link = new ControllerLink(client, { agentVersion: '1', collectFacts: async () => FACTS }, { ...handlers, connected: () => undefined } as ControllerLinkHandlers, log);
    link.start();
    await jest.advanceTimersByTimeAsync(0);
    const heartbeatIntervalMs = 60_000;
    streams[0]!.emit('data', { welcome: { hostId: 'h', heartbeatIntervalMs, imageTokenPublicKeyPem: '' } });
    await jest.advanceTimersByTimeAsync(WELCOME_WAIT_MS * 2);
    expect(streams).toHaveLength(1);
    link.stop();
  });
});
