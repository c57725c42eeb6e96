import type { HostRoleEntity, RoleName } from '@imagelib/store';
import { type Role__Output, type RoleAssignment, RoleState, type RoleState__Output } from '@imagelib/proto';

/** Translations between the contract's enums and the store's role names and states. */
export const ROLE_TO_PROTO: Record<RoleName, 'ROLE_IMAGE_LIBRARY'> = { 'image-library': 'ROLE_IMAGE_LIBRARY' };

export function roleFromProto(role: Role__Output): RoleName | null {
  return role === 'ROLE_IMAGE_LIBRARY' ? 'image-library' : null;
}

export function outcomeFromProto(state: RoleState__Output): 'active' | 'failed' | 'stopped' | null {
  switch (state) {
    case RoleState.ROLE_STATE_ACTIVE:
      return 'active';
    case RoleState.ROLE_STATE_FAILED:
      return 'failed';
    case RoleState.ROLE_STATE_STOPPED:
      return 'stopped';
    default:
      return null;
  }
}

/** The roles a host must run: every assigned role that is not being removed. */
export function desiredRoles(roles: HostRoleEntity[]): RoleAssignment[] {
  return roles
    .filter((role) => role.state !== 'removing')
    .map((role) => ({
      role: ROLE_TO_PROTO[role.role],
      generation: role.generation,
      imageLibrary: { repositoryPath: role.repositoryPath, port: role.port, requireMount: role.requireMount },
    }));
}
