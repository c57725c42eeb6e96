// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface ImageLibraryConfig {
  'repositoryPath'?: (string);
  'port'?: (number);
}

export interface ImageLibraryConfig__Output {
  'repositoryPath': (string);
  'port': (number);
}
