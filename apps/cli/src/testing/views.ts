import type { HostView, RoleView } from '../api-types.js';

/** A host document as GET /api/v1/hosts answers it, with the given changes. */
export function hostView(changes: Partial<HostView> = {}): HostView {
  return {
    id: '11111111-1111-1111-1111-111111111111',
    hostname: 'host-a',
    region: 'default',
    addresses: ['10.0.0.5'],
    agentVersion: '0.1.0',
    connected: true,
    lastHeartbeatAt: '2025-01-01T11:59:58.000Z',
    facts: null,
    repositories: [],
    roles: [],
    conditions: [],
    sharesStorageWith: [],
    createdAt: '2025-01-01T10:00:00.000Z',
    ...changes,
  };
}

export function roleView(changes: Partial<RoleView> = {}): RoleView {
  return {
    role: 'image-library',
    state: 'active',
    reason: '',
    repositoryPath: '/var/lib/imagelib/images',
    port: 9292,
    requireMount: false,
    url: 'http://10.0.0.5:9292',
    generation: 1,
    updatedAt: '2025-01-01T10:00:00.000Z',
    ...changes,
  };
}
