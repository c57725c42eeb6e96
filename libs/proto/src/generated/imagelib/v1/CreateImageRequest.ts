// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface CreateImageRequest {
  /**
   * The client's POST /v2/images body, as JSON.
   */
  'bodyJson'?: (string);
  /**
   * The project the caller's token belongs to (owner of the new image); empty for none.
   */
  'owner'?: (string);
}

export interface CreateImageRequest__Output {
  /**
   * The client's POST /v2/images body, as JSON.
   */
  'bodyJson': (string);
  /**
   * The project the caller's token belongs to (owner of the new image); empty for none.
   */
  'owner': (string);
}
