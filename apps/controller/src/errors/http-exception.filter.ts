import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCode } from './domain-error.js';
import { asStoreFailure } from './store-failure.js';

const HTTP_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.InvalidInput]: HttpStatus.BAD_REQUEST,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The REST error body: `{ statusCode, error, message }`; message is a string or a list of problems. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/** Maps every error leaving a REST handler to a status and a body; unknown errors are logged once. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode === HttpStatus.UNAUTHORIZED) response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(body.statusCode).json(body);
  }

  private toBody(thrown: unknown): ErrorBody {
    const exception = asStoreFailure(thrown) ?? thrown;
    if (exception instanceof DomainError) {
      return { statusCode: HTTP_STATUS[exception.code], error: exception.code, message: exception.message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const message = typeof payload === 'object' && payload !== null && 'message' in payload ? (payload.message as string | string[]) : exception.message;
      return { statusCode: status, error: codeForStatus(status), message };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'INTERNAL', message: 'internal error' };
  }
}

function codeForStatus(status: number): string {
  const known = Object.entries(HTTP_STATUS).find(([, s]) => s === status);
  return known ? known[0] : (HttpStatus[status] ?? 'ERROR');
}
