// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

export interface Replication {
  'imageId'?: (string);
  /**
   * Name of the data file to write in the repository.
   */
  'fileName'?: (string);
  'size'?: (number | string | Long);
  /**
   * SHA-512 hex the copy must have before it is renamed into place.
   */
  'osHashValue'?: (string);
  /**
   * Image service URLs of hosts where the image is ok, in the order to try.
   */
  'sources'?: (string)[];
  /**
   * Image API token to read from them.
   */
  'token'?: (string);
}

export interface Replication__Output {
  'imageId': (string);
  /**
   * Name of the data file to write in the repository.
   */
  'fileName': (string);
  'size': (number);
  /**
   * SHA-512 hex the copy must have before it is renamed into place.
   */
  'osHashValue': (string);
  /**
   * Image service URLs of hosts where the image is ok, in the order to try.
   */
  'sources': (string)[];
  /**
   * Image API token to read from them.
   */
  'token': (string);
}
