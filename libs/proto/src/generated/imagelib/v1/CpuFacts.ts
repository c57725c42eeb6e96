// Original file: libs/proto/proto/imagelib/v1/agent_gateway.proto


export interface CpuFacts {
  'brand'?: (string);
  'cores'?: (number);
  'physicalCores'?: (number);
  'speedGhz'?: (number | string);
}

export interface CpuFacts__Output {
  'brand': (string);
  'cores': (number);
  'physicalCores': (number);
  'speedGhz': (number);
}
