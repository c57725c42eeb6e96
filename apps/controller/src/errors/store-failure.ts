import { Store } from '@imagelib/store';
import { DomainError, ErrorCode } from './domain-error.js';

/** A failure of the database itself (locked, read-only, full) as the domain error each transport maps: unavailable. */
export function asStoreFailure(error: unknown): DomainError | null {
  const reason = Store.unavailableReason(error);
  return reason === null ? null : new DomainError(ErrorCode.Unavailable, `the database cannot be written: ${reason}`);
}
