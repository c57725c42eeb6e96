// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface CompleteUploadRequest {
  'id'?: (string);
  'size'?: (number | string | Long);
  'checksum'?: (string);
  'osHashValue'?: (string);
  'diskFormatDetected'?: (string);
  'virtualSize'?: (number | string | Long);
  'fileName'?: (string);
}

export interface CompleteUploadRequest__Output {
  'id': (string);
  'size': (number);
  'checksum': (string);
  'osHashValue': (string);
  'diskFormatDetected': (string);
  'virtualSize': (number);
  'fileName': (string);
}
