import type { ValueTransformer } from 'typeorm';

/** A bigint column as a number: node-postgres returns int8 as a string, sqlite a number. Exact up to 2^53. */
export const BIGINT_AS_NUMBER: ValueTransformer = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
