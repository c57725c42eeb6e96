// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface FileDeletionResult {
  'imageId'?: (string);
  'deleted'?: (boolean);
  'reason'?: (string);
}

export interface FileDeletionResult__Output {
  'imageId': (string);
  'deleted': (boolean);
  'reason': (string);
}
