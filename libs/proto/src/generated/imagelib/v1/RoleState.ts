// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

export const RoleState = {
  ROLE_STATE_UNSPECIFIED: 'ROLE_STATE_UNSPECIFIED',
  /**
   * Assigned; the agent has not confirmed it yet.
   */
  ROLE_STATE_PENDING: 'ROLE_STATE_PENDING',
  /**
   * The agent runs it (for the image library: its image service listens).
   */
  ROLE_STATE_ACTIVE: 'ROLE_STATE_ACTIVE',
  /**
   * The agent could not run it; reason says why.
   */
  ROLE_STATE_FAILED: 'ROLE_STATE_FAILED',
  /**
   * The agent stopped it (after removal).
   */
  ROLE_STATE_STOPPED: 'ROLE_STATE_STOPPED',
} as const;

export type RoleState =
  | 'ROLE_STATE_UNSPECIFIED'
  | 0
  /**
   * Assigned; the agent has not confirmed it yet.
   */
  | 'ROLE_STATE_PENDING'
  | 1
  /**
   * The agent runs it (for the image library: its image service listens).
   */
  | 'ROLE_STATE_ACTIVE'
  | 2
  /**
   * The agent could not run it; reason says why.
   */
  | 'ROLE_STATE_FAILED'
  | 3
  /**
   * The agent stopped it (after removal).
   */
  | 'ROLE_STATE_STOPPED'
  | 4

export type RoleState__Output = typeof RoleState[keyof typeof RoleState]
