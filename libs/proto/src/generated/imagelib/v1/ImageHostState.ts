// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

export const ImageHostState = {
  IMAGE_HOST_STATE_UNSPECIFIED: 'IMAGE_HOST_STATE_UNSPECIFIED',
  /**
   * The file is at the image's path, readable by the service user, of the right size.
   */
  IMAGE_HOST_STATE_OK: 'IMAGE_HOST_STATE_OK',
  /**
   * No file at that path on this host.
   */
  IMAGE_HOST_STATE_MISSING: 'IMAGE_HOST_STATE_MISSING',
  /**
   * The file is there but the service user cannot read it.
   */
  IMAGE_HOST_STATE_NO_ACCESS: 'IMAGE_HOST_STATE_NO_ACCESS',
  /**
   * Readable, but the service user could not delete it.
   */
  IMAGE_HOST_STATE_CANNOT_DELETE: 'IMAGE_HOST_STATE_CANNOT_DELETE',
  /**
   * The file's content no longer matches the image's SHA-512 (found by the scrubber); not served.
   */
  IMAGE_HOST_STATE_CORRUPT: 'IMAGE_HOST_STATE_CORRUPT',
} as const;

export type ImageHostState =
  | 'IMAGE_HOST_STATE_UNSPECIFIED'
  | 0
  /**
   * The file is at the image's path, readable by the service user, of the right size.
   */
  | 'IMAGE_HOST_STATE_OK'
  | 1
  /**
   * No file at that path on this host.
   */
  | 'IMAGE_HOST_STATE_MISSING'
  | 2
  /**
   * The file is there but the service user cannot read it.
   */
  | 'IMAGE_HOST_STATE_NO_ACCESS'
  | 3
  /**
   * Readable, but the service user could not delete it.
   */
  | 'IMAGE_HOST_STATE_CANNOT_DELETE'
  | 4
  /**
   * The file's content no longer matches the image's SHA-512 (found by the scrubber); not served.
   */
  | 'IMAGE_HOST_STATE_CORRUPT'
  | 5

export type ImageHostState__Output = typeof ImageHostState[keyof typeof ImageHostState]
