// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface CatalogWriteError {
  /**
   * The gRPC status code the unary call would have ended with (FAILED_PRECONDITION for a Glance refusal).
   */
  'code'?: (number);
  'message'?: (string);
  /**
   * A Glance-level refusal's HTTP status (what the unary calls send in the "glance-status" trailer); 0 otherwise.
   */
  'glanceStatus'?: (number);
}

export interface CatalogWriteError__Output {
  /**
   * The gRPC status code the unary call would have ended with (FAILED_PRECONDITION for a Glance refusal).
   */
  'code': (number);
  'message': (string);
  /**
   * A Glance-level refusal's HTTP status (what the unary calls send in the "glance-status" trailer); 0 otherwise.
   */
  'glanceStatus': (number);
}
