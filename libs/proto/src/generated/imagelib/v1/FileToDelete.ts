// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface FileToDelete {
  'imageId'?: (string);
  'fileName'?: (string);
}

export interface FileToDelete__Output {
  'imageId': (string);
  'fileName': (string);
}
