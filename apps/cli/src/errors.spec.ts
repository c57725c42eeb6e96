import { describe, expect, it } from '@jest/globals';
import { ImageLibraryError, type ImageLibraryErrorKind } from '@imagelib/client';
import { CommanderError } from 'commander';
import { ApiError, CliError, ControllerUnreachableError, exitCodeFor, failureMessage } from './errors.js';
import { EXIT_CODE_MEANINGS, ExitCode, exitCodeHelp } from './exit-codes.js';

const imageError = (kind: ImageLibraryErrorKind, status?: number) => new ImageLibraryError({ kind, operation: 'download of image x', reason: 'r', ...(status ? { status } : {}) });

describe('exitCodeFor', () => {
  it('maps controller answers by status', () => {
    expect([400, 401, 403, 404, 409, 500, 503].map((status) => exitCodeFor(new ApiError(status, 'GET /api/v1/hosts', 'x')))).toEqual([2, 4, 4, 3, 6, 1, 1]);
  });

  it('maps an unreachable controller to 5, the CLI own errors to their code', () => {
    expect(exitCodeFor(new ControllerUnreachableError('http://c', 'connection refused'))).toBe(ExitCode.ControllerUnreachable);
    expect(exitCodeFor(new CliError(ExitCode.NotFound, 'no host'))).toBe(3);
  });

  it('maps image host failures: HTTP statuses as for the controller, no host able to serve to 7, Ctrl-C to 130', () => {
    expect(exitCodeFor(imageError('http', 404))).toBe(3);
    expect(exitCodeFor(imageError('http', 403))).toBe(4);
    expect(exitCodeFor(imageError('http', 409))).toBe(6);
    expect(exitCodeFor(imageError('http', 413))).toBe(1);
    expect(['unavailable', 'deadline', 'endpoints'].map((kind) => exitCodeFor(imageError(kind as ImageLibraryErrorKind)))).toEqual([7, 7, 7]);
    expect(exitCodeFor(imageError('aborted'))).toBe(130);
    expect(['integrity', 'state', 'ambiguous', 'io'].map((kind) => exitCodeFor(imageError(kind as ImageLibraryErrorKind)))).toEqual([1, 1, 1, 1]);
  });

  it('treats commander errors as usage errors, help as success, and prints nothing more for them', () => {
    const unknown = new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'");
    expect(exitCodeFor(unknown)).toBe(2);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
    expect(failureMessage(unknown)).toBeNull();
    expect(failureMessage(new Error('boom'))).toBe('boom');
    expect(exitCodeFor(new Error('boom'))).toBe(1);
  });
});

describe('exitCodeHelp', () => {
  it('lists every exit status with its meaning', () => {
    const help = exitCodeHelp();
    expect(help.split('\n')[0]).toBe('Exit status:');
    for (const [code, meaning] of EXIT_CODE_MEANINGS) expect(help).toContain(`${String(code).padStart(3)}  ${meaning}`);
    expect(EXIT_CODE_MEANINGS.map(([code]) => code)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 130]);
  });
});
