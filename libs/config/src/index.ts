export { ConfigError, validateSettings } from './validate-settings.js';
export { HTTP_HEADERS_TIMEOUT_DEFAULT_MS, HTTP_IDLE_TIMEOUT_DEFAULT_MS, limitHttpServer, MAX_HEADER_BYTES, type HttpServerLimits } from './http-server-limits.js';
