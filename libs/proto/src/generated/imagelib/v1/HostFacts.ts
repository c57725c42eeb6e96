// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { OsFacts as _imagelib_v1_OsFacts, OsFacts__Output as _imagelib_v1_OsFacts__Output } from '../../imagelib/v1/OsFacts.js';
import type { CpuFacts as _imagelib_v1_CpuFacts, CpuFacts__Output as _imagelib_v1_CpuFacts__Output } from '../../imagelib/v1/CpuFacts.js';
import type { MemoryFacts as _imagelib_v1_MemoryFacts, MemoryFacts__Output as _imagelib_v1_MemoryFacts__Output } from '../../imagelib/v1/MemoryFacts.js';
import type { RepositoryFacts as _imagelib_v1_RepositoryFacts, RepositoryFacts__Output as _imagelib_v1_RepositoryFacts__Output } from '../../imagelib/v1/RepositoryFacts.js';

export interface HostFacts {
  'hostname'?: (string);
  'addresses'?: (string)[];
  'os'?: (_imagelib_v1_OsFacts | null);
  'cpu'?: (_imagelib_v1_CpuFacts | null);
  'memory'?: (_imagelib_v1_MemoryFacts | null);
  /**
   * Filesystem facts of every repository path the agent serves.
   */
  'repositories'?: (_imagelib_v1_RepositoryFacts)[];
}

export interface HostFacts__Output {
  'hostname': (string);
  'addresses': (string)[];
  'os': (_imagelib_v1_OsFacts__Output | null);
  'cpu': (_imagelib_v1_CpuFacts__Output | null);
  'memory': (_imagelib_v1_MemoryFacts__Output | null);
  /**
   * Filesystem facts of every repository path the agent serves.
   */
  'repositories': (_imagelib_v1_RepositoryFacts__Output)[];
}
