// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto

import type { Long } from '@grpc/proto-loader';

/**
 * One image as every host serves it. Optional scalars are absent when Glance shows null.
 */
export interface CatalogImage {
  'id'?: (string);
  'name'?: (string);
  'status'?: (string);
  'visibility'?: (string);
  'protected'?: (boolean);
  'osHidden'?: (boolean);
  'diskFormat'?: (string);
  'containerFormat'?: (string);
  'size'?: (number | string | Long);
  'virtualSize'?: (number | string | Long);
  'checksum'?: (string);
  'osHashAlgo'?: (string);
  'osHashValue'?: (string);
  'minRam'?: (number);
  'minDisk'?: (number);
  'owner'?: (string);
  'tags'?: (string)[];
  'properties'?: ({[key: string]: string});
  'createdAt'?: (string);
  'updatedAt'?: (string);
  /**
   * Name of the data file in the repository directory; absent before any data.
   */
  'fileName'?: (string);
  'revision'?: (number | string | Long);
  '_name'?: "name";
  '_diskFormat'?: "diskFormat";
  '_containerFormat'?: "containerFormat";
  '_size'?: "size";
  '_virtualSize'?: "virtualSize";
  '_checksum'?: "checksum";
  '_osHashAlgo'?: "osHashAlgo";
  '_osHashValue'?: "osHashValue";
  '_owner'?: "owner";
  '_fileName'?: "fileName";
}

/**
 * One image as every host serves it. Optional scalars are absent when Glance shows null.
 */
export interface CatalogImage__Output {
  'id': (string);
  'name'?: (string);
  'status': (string);
  'visibility': (string);
  'protected': (boolean);
  'osHidden': (boolean);
  'diskFormat'?: (string);
  'containerFormat'?: (string);
  'size'?: (number);
  'virtualSize'?: (number);
  'checksum'?: (string);
  'osHashAlgo'?: (string);
  'osHashValue'?: (string);
  'minRam': (number);
  'minDisk': (number);
  'owner'?: (string);
  'tags': (string)[];
  'properties': ({[key: string]: string});
  'createdAt': (string);
  'updatedAt': (string);
  /**
   * Name of the data file in the repository directory; absent before any data.
   */
  'fileName'?: (string);
  'revision': (number);
  '_name'?: "name";
  '_diskFormat'?: "diskFormat";
  '_containerFormat'?: "containerFormat";
  '_size'?: "size";
  '_virtualSize'?: "virtualSize";
  '_checksum'?: "checksum";
  '_osHashAlgo'?: "osHashAlgo";
  '_osHashValue'?: "osHashValue";
  '_owner'?: "owner";
  '_fileName'?: "fileName";
}
