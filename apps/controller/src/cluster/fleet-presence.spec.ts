import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { HostsRepository } from '@imagelib/store';
import { type AgentCall, AgentSessions } from '../agents/agent-sessions.service.js';
import type { ControllerConfig } from '../config/controller-config.js';
import { ControllerEvents } from '../events/controller-events.js';
import type { ClusterBus } from './cluster-bus.js';
import type { ClusterMessage } from './cluster-messages.js';
import { BEAT_INTERVAL_MS, CONTROLLER_SILENCE_MS, FleetPresence } from './fleet-presence.js';

type Handler = (message: ClusterMessage, from: string) => void;

/** Controllers on one channel, in memory: what one publishes reaches every other at once, in order. */
class Channel {
  readonly members: Array<{ id: string; handlers: Map<string, Handler[]>; joined: Array<() => void>; muted: boolean }> = [];

  bus(id: string): ClusterBus {
    const member = { id, handlers: new Map<string, Handler[]>(), joined: [] as Array<() => void>, muted: false };
    this.members.push(member);
    return {
      controllerId: id,
      enabled: true,
      on: (kind: string, handler: Handler) => member.handlers.set(kind, [...(member.handlers.get(kind) ?? []), handler]),
      onJoined: (listener: () => void) => member.joined.push(listener),
      publish: (message: ClusterMessage) => {
        if (member.muted) return;
        for (const other of this.members) if (other !== member) for (const handler of other.handlers.get(message.kind) ?? []) handler(message, id);
      },
    } as unknown as ClusterBus;
  }
}

// Agents' streams outlive every test here (their TTL is 2.5 intervals).
const CONFIG = { heartbeatIntervalMs: 60_000 } as ControllerConfig;
const HOSTS = { recordLastHeartbeat: async () => undefined } as unknown as HostsRepository;

function call(peer: string): AgentCall {
  return { getPeer: () => peer, write: () => true, emit: () => true, destroyed: false, cancelled: false } as unknown as AgentCall;
}

function controller(channel: Channel, id: string) {
  const bus = channel.bus(id);
  const events = new ControllerEvents(bus);
  const sessions = new AgentSessions(HOSTS, CONFIG, events);
  const presence = new FleetPresence(sessions, bus, events);
  const disconnected: string[] = [];
  presence.onDisconnect((hostId) => disconnected.push(hostId));
  presence.onApplicationBootstrap();
  return { id, sessions, presence, events, disconnected };
}

describe('FleetPresence', () => {
  let channel: Channel;
  let a: ReturnType<typeof controller>;
  let b: ReturnType<typeof controller>;

  beforeEach(() => {
    jest.useFakeTimers();
    channel = new Channel();
    a = controller(channel, 'controller-a');
    b = controller(channel, 'controller-b');
  });

  afterEach(() => {
    for (const c of [a, b]) {
      c.presence.onApplicationShutdown();
      c.events.onApplicationShutdown();
      void c.sessions.beforeApplicationShutdown();
    }
    jest.useRealTimers();
  });

  it('shows a host connected to one controller as connected through the other, with its acks', () => {
    a.sessions.open('host-1', call('10.0.0.1:5000'));
    a.sessions.recordCatalogAck('host-1', 7);
    expect(b.presence.isConnected('host-1')).toBe(true);
    expect(b.presence.isLocal('host-1')).toBe(false);
    expect(b.presence.catalogAcked('host-1')).toBe(7);
    expect(b.presence.liveness('host-1', null)).toMatchObject({ connected: true, peer: '10.0.0.1:5000' });
    a.sessions.disconnect('host-1', 14, 'gone');
    expect(b.presence.isConnected('host-1')).toBe(false);
    expect(b.disconnected).toEqual(['host-1']);
  });

  it('forgets the hosts of a controller that stops beating, unless they moved to a live one', () => {
    a.sessions.open('host-1', call('p1'));
    a.sessions.open('host-2', call('p2'));
    jest.advanceTimersByTime(BEAT_INTERVAL_MS);
    channel.members[0]!.muted = true;
    // host-2 moves to B before A is found dead.
    b.sessions.open('host-2', call('p2b'));
    jest.advanceTimersByTime(CONTROLLER_SILENCE_MS + BEAT_INTERVAL_MS);
    expect(b.presence.isConnected('host-1')).toBe(false);
    expect(b.presence.isConnected('host-2')).toBe(true);
    expect(b.disconnected).toEqual(['host-1']);
    expect(b.presence.otherControllers).toBe(0);
  });

  it('asks for the whole list again when beats say another number of streams than it knows', () => {
    channel.members[0]!.muted = true;
    a.sessions.open('host-1', call('p1'));
    channel.members[0]!.muted = false;
    expect(b.presence.isConnected('host-1')).toBe(false);
    jest.advanceTimersByTime(2 * BEAT_INTERVAL_MS);
    expect(b.presence.isConnected('host-1')).toBe(true);
  });

  it('ends its own stream of a host that connected to another controller since', () => {
    a.sessions.open('host-1', call('p1'));
    jest.advanceTimersByTime(10);
    b.sessions.open('host-1', call('p1-again'));
    expect(a.sessions.isConnected('host-1')).toBe(false);
    expect(a.presence.isConnected('host-1')).toBe(true);
    expect(a.disconnected).toEqual([]);
  });
});
