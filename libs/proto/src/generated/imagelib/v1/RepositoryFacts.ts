// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface RepositoryFacts {
  'path'?: (string);
  'exists'?: (boolean);
  'writable'?: (boolean);
  'fsType'?: (string);
  'mountPoint'?: (string);
  'mountSource'?: (string);
  'sizeBytes'?: (number | string | Long);
  'freeBytes'?: (number | string | Long);
  /**
   * The filesystem is mounted read-only.
   */
  'readOnly'?: (boolean);
  /**
   * Why the repository must not be written now (e.g. the share it needs is not mounted); empty when usable.
   */
  'unusableReason'?: (string);
  /**
   * Hosts seen writing into this repository's storage lately: the live probe (every host rewrites a
   * file of its own in the repository and reads the others').
   */
  'storagePeers'?: (string)[];
  /**
   * The probe has run long enough that a host missing from storage_peers is on another storage.
   */
  'storageProbeSettled'?: (boolean);
}

export interface RepositoryFacts__Output {
  'path': (string);
  'exists': (boolean);
  'writable': (boolean);
  'fsType': (string);
  'mountPoint': (string);
  'mountSource': (string);
  'sizeBytes': (number);
  'freeBytes': (number);
  /**
   * The filesystem is mounted read-only.
   */
  'readOnly': (boolean);
  /**
   * Why the repository must not be written now (e.g. the share it needs is not mounted); empty when usable.
   */
  'unusableReason': (string);
  /**
   * Hosts seen writing into this repository's storage lately: the live probe (every host rewrites a
   * file of its own in the repository and reads the others').
   */
  'storagePeers': (string)[];
  /**
   * The probe has run long enough that a host missing from storage_peers is on another storage.
   */
  'storageProbeSettled': (boolean);
}
