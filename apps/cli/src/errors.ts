import { ImageLibraryError } from '@imagelib/client';
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';

/** A failure the CLI itself detected, with the exit status it stands for. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The controller answered a REST call with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** `GET /api/v1/hosts/…` */
    readonly request: string,
    /** The controller's `message` (problems joined), or the status text. */
    readonly detail: string,
  ) {
    super(`${detail} (${status} from ${request})`);
    this.name = 'ApiError';
  }
}

/** No answer from the controller: connection refused, name not found, timeout. */
export class ControllerUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`the controller at ${url} cannot be reached: ${reason}`);
    this.name = 'ControllerUnreachableError';
  }
}

/** The exit status for an HTTP error status, from the controller or an image host. */
export function exitCodeForStatus(status: number | undefined): ExitCode {
  if (status === 400 || status === 422) return ExitCode.Usage;
  if (status === 401 || status === 403) return ExitCode.AuthRefused;
  if (status === 404) return ExitCode.NotFound;
  if (status === 409) return ExitCode.Conflict;
  return ExitCode.Failure;
}

function exitCodeForImageError(error: ImageLibraryError): ExitCode {
  switch (error.kind) {
    case 'http':
      return exitCodeForStatus(error.status);
    case 'unavailable':
    case 'deadline':
    case 'endpoints':
      return ExitCode.ImageServiceUnavailable;
    case 'aborted':
      return ExitCode.Interrupted;
    default:
      return ExitCode.Failure;
  }
}

/** Every failure's exit status, in one place. Commander's own errors (it printed them) are usage errors, help is not. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  if (error instanceof ApiError) return exitCodeForStatus(error.status);
  if (error instanceof ControllerUnreachableError) return ExitCode.ControllerUnreachable;
  if (error instanceof ImageLibraryError) return exitCodeForImageError(error);
  return ExitCode.Failure;
}

/** What to print for a failure, or null when commander already printed it. */
export function failureMessage(error: unknown): string | null {
  if (error instanceof CommanderError) return null;
  if (error instanceof Error) return error.message;
  return String(error);
}
