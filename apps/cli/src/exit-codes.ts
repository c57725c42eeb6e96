/** The exit statuses scripts can rely on; documented in `imagelib --help` and the README. Never renumber. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  NotFound: 3,
  AuthRefused: 4,
  ControllerUnreachable: 5,
  Conflict: 6,
  ImageServiceUnavailable: 7,
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_MEANINGS: readonly (readonly [ExitCode, string])[] = [
  [ExitCode.Ok, 'success'],
  [ExitCode.Failure, 'any other failure (a failed role, a damaged transfer, a server error)'],
  [ExitCode.Usage, 'bad usage or configuration (unknown option, missing controller URL or token, a value the API refused with 400)'],
  [ExitCode.NotFound, 'unknown host or image'],
  [ExitCode.AuthRefused, 'the token was refused (401/403)'],
  [ExitCode.ControllerUnreachable, 'the controller cannot be reached or does not answer'],
  [ExitCode.Conflict, 'refused as a conflict (409), e.g. draining the only host with an image without --force'],
  [ExitCode.ImageServiceUnavailable, 'no image host could serve the request (none listed, all down, or the deadline passed)'],
  [ExitCode.Interrupted, 'interrupted (Ctrl-C)'],
];

/** The "Exit status" block of `imagelib --help`. */
export function exitCodeHelp(): string {
  return ['Exit status:', ...EXIT_CODE_MEANINGS.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`)].join('\n');
}
