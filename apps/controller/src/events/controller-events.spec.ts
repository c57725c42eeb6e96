import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ClusterBus } from '../cluster/cluster-bus.js';
import type { ClusterMessage } from '../cluster/cluster-messages.js';
import { type ChangeBatch, COALESCE_MS, ControllerEvents } from './controller-events.js';

/** The cluster bus as the change bus uses it: what it publishes, and a way to deliver a message from another controller. */
function recordingBus() {
  const published: ClusterMessage[] = [];
  const handlers: Array<(message: ClusterMessage) => void> = [];
  const bus = { publish: (message: ClusterMessage) => published.push(message), on: (_kind: string, handler: (message: ClusterMessage) => void) => handlers.push(handler) } as unknown as ClusterBus;
  return { bus, published, deliver: (message: ClusterMessage) => handlers.forEach((handler) => handler(message)) };
}

describe('ControllerEvents', () => {
  let events: ControllerEvents;
  let batches: ChangeBatch[];
  let cluster: ReturnType<typeof recordingBus>;

  beforeEach(() => {
    jest.useFakeTimers();
    cluster = recordingBus();
    events = new ControllerEvents(cluster.bus);
    batches = [];
    events.subscribe((batch) => batches.push(batch));
  });

  afterEach(() => {
    events.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('coalesces a burst of 10,000 status reports and a disconnect into one batch', () => {
    for (let i = 0; i < 10_000; i++) events.agentMessageApplied('imageStatus');
    events.publish('host-disconnected');
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(COALESCE_MS);
    expect(batches).toEqual([{ seq: 1, changes: ['host-disconnected', 'statuses'], views: ['hosts', 'images', 'endpoints'] }]);
  });

  it('sends one batch per window while changes keep coming, numbered in order', () => {
    for (let window = 0; window < 4; window++) {
      for (let i = 0; i < 100; i++) events.publish('catalog');
      jest.advanceTimersByTime(COALESCE_MS);
    }
    expect(batches.map((batch) => batch.seq)).toEqual([1, 2, 3, 4]);
    expect(batches[0]).toEqual({ seq: 1, changes: ['catalog'], views: ['images'] });
  });

  it('names only the views a change affects, and ignores agent messages that change nothing shown', () => {
    events.agentMessageApplied('facts');
    events.agentMessageApplied('heartbeat');
    events.agentMessageApplied('catalogAck');
    jest.advanceTimersByTime(COALESCE_MS);
    expect(batches).toEqual([{ seq: 1, changes: ['facts'], views: ['hosts', 'endpoints'] }]);
    events.agentMessageApplied('catalogAck');
    jest.advanceTimersByTime(COALESCE_MS * 4);
    expect(batches).toHaveLength(1);
  });

  it('stops calling a listener that unsubscribed, and keeps calling the others when one throws', () => {
    const other: ChangeBatch[] = [];
    const stop = events.subscribe((batch) => other.push(batch));
    events.subscribe(() => {
      throw new Error('broken listener');
    });
    events.publish('roles');
    jest.advanceTimersByTime(COALESCE_MS);
    stop();
    events.publish('roles');
    jest.advanceTimersByTime(COALESCE_MS);
    expect(other).toHaveLength(1);
    expect(batches).toHaveLength(2);
  });

  it('tells the other controllers the changes made here, and gives its listeners theirs without sending them back', () => {
    events.publish('roles');
    cluster.deliver({ kind: 'changes', changes: ['statuses'] });
    jest.advanceTimersByTime(COALESCE_MS);
    expect(batches).toEqual([{ seq: 1, changes: ['roles', 'statuses'], views: ['hosts', 'images', 'endpoints'] }]);
    expect(cluster.published).toEqual([{ kind: 'changes', changes: ['roles'] }]);
    cluster.deliver({ kind: 'changes', changes: ['catalog'] });
    jest.advanceTimersByTime(COALESCE_MS);
    expect(batches[1]).toEqual({ seq: 2, changes: ['catalog'], views: ['images'] });
    expect(cluster.published).toHaveLength(1);
  });
});
