// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface AbortUploadRequest {
  'id'?: (string);
  'reason'?: (string);
  /**
   * True: the image goes to killed (data refused); false: back to queued (client went away).
   */
  'kill'?: (boolean);
}

export interface AbortUploadRequest__Output {
  'id': (string);
  'reason': (string);
  /**
   * True: the image goes to killed (data refused); false: back to queued (client went away).
   */
  'kill': (boolean);
}
