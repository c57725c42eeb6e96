import { describe, expect, it } from '@jest/globals';
import { loadControllerConfig } from './controller-config.js';

describe('loadControllerConfig', () => {
  it('applies defaults', () => {
    expect(loadControllerConfig({})).toMatchObject({
      dataDir: '/var/lib/imagelib-controller',
      database: { sqlitePath: '/var/lib/imagelib-controller/imagelib.sqlite' },
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

  it('keeps its state in PostgreSQL when given a database URL, and says what is wrong with one without showing its password', () => {
    expect(loadControllerConfig({ IMAGELIB_DATABASE_URL: 'postgres://imagelib:s3cret@db.example:5432/imagelib' }).database).toEqual({ postgresUrl: 'postgres://imagelib:s3cret@db.example:5432/imagelib' });
    expect(loadControllerConfig({ IMAGELIB_DATABASE_URL: 'postgresql:///imagelib?host=/run/postgresql' }).database).toEqual({ postgresUrl: 'postgresql:///imagelib?host=/run/postgresql' });
    expect(loadControllerConfig({ IMAGELIB_DATABASE_URL: '' }).database).toEqual({ sqlitePath: '/var/lib/imagelib-controller/imagelib.sqlite' });
    const refusals = [
      ['mysql://imagelib:s3cret@db.example/imagelib', 'IMAGELIB_DATABASE_URL: must be a postgres:// or postgresql:// URL, postgres://user:password@host:port/database (the value is not shown: it may hold a password)'],
      ['imagelib:s3cret@db.example', 'IMAGELIB_DATABASE_URL: must be a postgres:// or postgresql:// URL'],
      ['s3cret', 'IMAGELIB_DATABASE_URL: must be a postgres:// or postgresql:// URL'],
      ['postgres:///imagelib?password=s3cret', 'IMAGELIB_DATABASE_URL=postgres:///imagelib: must name the server'],
    ];
    for (const [value, message] of refusals) {
      let thrown: unknown;
      try {
        loadControllerConfig({ IMAGELIB_DATABASE_URL: value });
      } catch (error) {
        thrown = error;
      }
      expect((thrown as Error).message).toContain(message);
      expect((thrown as Error).message).not.toContain('s3cret');
    }
    expect(() => loadControllerConfig({ IMAGELIB_HTTP_PORT: '99999', IMAGELIB_DATABASE_URL: 'http://db.example' })).toThrow(/IMAGELIB_HTTP_PORT=99999[\s\S]*IMAGELIB_DATABASE_URL: must be a postgres/);
  });
});
