// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

export const Role = {
  ROLE_UNSPECIFIED: 'ROLE_UNSPECIFIED',
  ROLE_IMAGE_LIBRARY: 'ROLE_IMAGE_LIBRARY',
} as const;

export type Role =
  | 'ROLE_UNSPECIFIED'
  | 0
  | 'ROLE_IMAGE_LIBRARY'
  | 1

export type Role__Output = typeof Role[keyof typeof Role]
