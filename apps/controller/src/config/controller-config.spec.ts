import { describe, expect, it } from '@jest/globals';
import { loadControllerConfig } from './controller-config.js';

describe('loadControllerConfig', () => {
  it('applies defaults', () => {
    expect(loadControllerConfig({})).toMatchObject({
      dataDir: '/var/lib/imagelib-controller',
      sqlitePath: '/var/lib/imagelib-controller/imagelib.sqlite',
      http: { host: '0.0.0.0', port: 8080 },
      grpc: { host: '0.0.0.0', port: 9443 },
      heartbeatIntervalMs: 1000,
      tlsSans: [],
      logLevel: 'info',
      httpLimits: { headersTimeoutMs: 30_000, idleTimeoutMs: 300_000 },
    });
  });

  it('takes the HTTP timeouts within bounds', () => {
    expect(loadControllerConfig({ IMAGELIB_HTTP_HEADERS_TIMEOUT_MS: '2000', IMAGELIB_HTTP_IDLE_TIMEOUT_MS: '5000' }).httpLimits).toEqual({ headersTimeoutMs: 2000, idleTimeoutMs: 5000 });
    expect(() => loadControllerConfig({ IMAGELIB_HTTP_HEADERS_TIMEOUT_MS: '10', IMAGELIB_HTTP_IDLE_TIMEOUT_MS: 'never' })).toThrow(/IMAGELIB_HTTP_HEADERS_TIMEOUT_MS=10[\s\S]*IMAGELIB_HTTP_IDLE_TIMEOUT_MS=NaN: .* must be an integer number/);
  });

  it('names every bad variable', () => {
    expect(() => loadControllerConfig({ IMAGELIB_DATA_DIR: 'data', IMAGELIB_HTTP_PORT: '99999', IMAGELIB_HEARTBEAT_INTERVAL_MS: 'fast', IMAGELIB_LOG_LEVEL: 'loud' })).toThrow(
      /IMAGELIB_DATA_DIR="data": must be an absolute path[\s\S]*IMAGELIB_HTTP_PORT=99999[\s\S]*IMAGELIB_HEARTBEAT_INTERVAL_MS=[\s\S]*IMAGELIB_LOG_LEVEL="loud"/,
    );
  });

  it('splits TLS names', () => {
    expect(loadControllerConfig({ IMAGELIB_TLS_SANS: 'a.example, 10.0.0.1,' }).tlsSans).toEqual(['a.example', '10.0.0.1']);
  });

  it('serves the Glance front door only when given a port, on a port of its own', () => {
    expect(loadControllerConfig({}).imageApi).toBeNull();
    expect(loadControllerConfig({ IMAGELIB_IMAGE_API_PORT: '9292' }).imageApi).toEqual({ host: '0.0.0.0', port: 9292 });
    expect(loadControllerConfig({ IMAGELIB_IMAGE_API_PORT: '9292', IMAGELIB_IMAGE_API_HOST: '10.0.0.2' }).imageApi).toEqual({ host: '10.0.0.2', port: 9292 });
    expect(() => loadControllerConfig({ IMAGELIB_IMAGE_API_PORT: '70000' })).toThrow(/IMAGELIB_IMAGE_API_PORT=70000/);
    expect(() => loadControllerConfig({ IMAGELIB_IMAGE_API_PORT: '8080' })).toThrow('IMAGELIB_IMAGE_API_PORT=8080: must differ from IMAGELIB_HTTP_PORT');
  });
});
