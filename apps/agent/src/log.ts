import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/agent-config.js';

export type { Logger };

/** JSON lines on stdout; never log tokens, keys or certificates. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid, service: 'imagelib-agent' }, timestamp: pino.stdTimeFunctions.isoTime });
}
