// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface PatchImageRequest {
  'id'?: (string);
  /**
   * The client's JSON-patch operations, as JSON.
   */
  'patchJson'?: (string);
  /**
   * The request's Content-Type: the v2.1 or v2.0 JSON-patch dialect.
   */
  'contentType'?: (string);
}

export interface PatchImageRequest__Output {
  'id': (string);
  /**
   * The client's JSON-patch operations, as JSON.
   */
  'patchJson': (string);
  /**
   * The request's Content-Type: the v2.1 or v2.0 JSON-patch dialect.
   */
  'contentType': (string);
}
