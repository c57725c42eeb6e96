// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface ImageLibraryConfig {
  'repositoryPath'?: (string);
  'port'?: (number);
  /**
   * The repository must be on its own mounted filesystem (a share), not on the root filesystem:
   * while it is not, nothing is written there and its images are not served.
   */
  'requireMount'?: (boolean);
}

export interface ImageLibraryConfig__Output {
  'repositoryPath': (string);
  'port': (number);
  /**
   * The repository must be on its own mounted filesystem (a share), not on the root filesystem:
   * while it is not, nothing is written there and its images are not served.
   */
  'requireMount': (boolean);
}
