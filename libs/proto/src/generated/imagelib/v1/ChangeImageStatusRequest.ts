// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface ChangeImageStatusRequest {
  'id'?: (string);
  /**
   * "deactivate" or "reactivate".
   */
  'action'?: (string);
}

export interface ChangeImageStatusRequest__Output {
  'id': (string);
  /**
   * "deactivate" or "reactivate".
   */
  'action': (string);
}
