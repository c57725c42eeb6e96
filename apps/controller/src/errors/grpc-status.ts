import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { GlanceError } from '@imagelib/glance';
import { Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from './domain-error.js';
import { asStoreFailure } from './store-failure.js';

const GRPC_STATUS: Record<ErrorCode, status> = {
  [ErrorCode.InvalidInput]: status.INVALID_ARGUMENT,
  [ErrorCode.NotFound]: status.NOT_FOUND,
  [ErrorCode.Conflict]: status.ALREADY_EXISTS,
  [ErrorCode.Unauthenticated]: status.UNAUTHENTICATED,
  [ErrorCode.Forbidden]: status.PERMISSION_DENIED,
  [ErrorCode.Unavailable]: status.UNAVAILABLE,
};

const logger = new Logger('GrpcErrors');

/** Trailer carrying the HTTP status of a Glance-level refusal to the host that serves the client. */
export const GLANCE_STATUS_TRAILER = 'glance-status';

/** Maps any error leaving a gRPC handler to a gRPC status; unknown errors are logged once as INTERNAL. */
export function toGrpcError(thrown: unknown): Partial<ServiceError> {
  const error = asStoreFailure(thrown) ?? thrown;
  if (error instanceof GlanceError) {
    const metadata = new Metadata();
    metadata.set(GLANCE_STATUS_TRAILER, String(error.status));
    return { code: status.FAILED_PRECONDITION, details: error.message, metadata };
  }
  if (error instanceof DomainError) {
    return { code: GRPC_STATUS[error.code], details: error.message, metadata: new Metadata() };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { code: status.INTERNAL, details: 'internal error', metadata: new Metadata() };
}
