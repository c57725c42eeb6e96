// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { DiscoveredFile as _imagelib_v1_DiscoveredFile, DiscoveredFile__Output as _imagelib_v1_DiscoveredFile__Output } from '../../imagelib/v1/DiscoveredFile.js';

export interface DiscoveredFiles {
  'files'?: (_imagelib_v1_DiscoveredFile)[];
}

export interface DiscoveredFiles__Output {
  'files': (_imagelib_v1_DiscoveredFile__Output)[];
}
