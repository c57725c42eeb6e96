// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface EnrollRequest {
  /**
   * "<token id>.<secret>", as created by POST /api/v1/join-tokens.
   */
  'joinToken'?: (string);
  'hostname'?: (string);
  'region'?: (string);
  /**
   * The agent's public key (SPKI, PEM). The private key never leaves the host.
   */
  'publicKeyPem'?: (string);
  'agentVersion'?: (string);
}

export interface EnrollRequest__Output {
  /**
   * "<token id>.<secret>", as created by POST /api/v1/join-tokens.
   */
  'joinToken': (string);
  'hostname': (string);
  'region': (string);
  /**
   * The agent's public key (SPKI, PEM). The private key never leaves the host.
   */
  'publicKeyPem': (string);
  'agentVersion': (string);
}
