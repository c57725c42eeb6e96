// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface ImageRef {
  'id'?: (string);
}

export interface ImageRef__Output {
  'id': (string);
}
