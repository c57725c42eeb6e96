// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface Welcome {
  'hostId'?: (string);
  /**
   * The agent heartbeats at this interval; the controller marks the host disconnected when it
   * hears nothing for a little under 3 intervals.
   */
  'heartbeatIntervalMs'?: (number);
  /**
   * Public key (SPKI PEM) that image API tokens are signed with; hosts verify tokens locally.
   */
  'imageTokenPublicKeyPem'?: (string);
}

export interface Welcome__Output {
  'hostId': (string);
  /**
   * The agent heartbeats at this interval; the controller marks the host disconnected when it
   * hears nothing for a little under 3 intervals.
   */
  'heartbeatIntervalMs': (number);
  /**
   * Public key (SPKI PEM) that image API tokens are signed with; hosts verify tokens locally.
   */
  'imageTokenPublicKeyPem': (string);
}
