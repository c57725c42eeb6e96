// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface ReplicationResult {
  'imageId'?: (string);
  'ok'?: (boolean);
  'reason'?: (string);
}

export interface ReplicationResult__Output {
  'imageId': (string);
  'ok': (boolean);
  'reason': (string);
}
