import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/agent-config.js';

export type { Logger };

/**
 * JSON lines on stdout; never log tokens, keys or certificates. Lines are written in the background,
 * in order, those logged meanwhile together: a write to a busy disk can stall for milliseconds, and
 * an image API request (which logs a line) must not wait for it. What is left is written on exit.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid, service: 'imagelib-agent' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 1, sync: false }));
}
