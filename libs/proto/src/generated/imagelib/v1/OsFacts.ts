// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface OsFacts {
  'platform'?: (string);
  'distro'?: (string);
  'release'?: (string);
  'kernel'?: (string);
  'arch'?: (string);
}

export interface OsFacts__Output {
  'platform': (string);
  'distro': (string);
  'release': (string);
  'kernel': (string);
  'arch': (string);
}
