// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface EnrollResponse {
  'hostId'?: (string);
  /**
   * Client certificate for public_key_pem, signed by the controller's CA.
   */
  'certificatePem'?: (string);
  'caCertificatePem'?: (string);
}

export interface EnrollResponse__Output {
  'hostId': (string);
  /**
   * Client certificate for public_key_pem, signed by the controller's CA.
   */
  'certificatePem': (string);
  'caCertificatePem': (string);
}
