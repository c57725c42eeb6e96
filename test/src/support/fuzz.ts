import fc from 'fast-check';
import { loadImagelibV1 } from '@imagelib/proto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** Cases per fuzzed property: small in CI, raised for a soak with IMAGELIB_FUZZ_RUNS. */
export function fuzzRuns(ciDefault: number): number {
  const asked = Number(process.env.IMAGELIB_FUZZ_RUNS);
  return Number.isInteger(asked) && asked > 0 ? asked : ciDefault;
}

/** A test's time limit: jest's usual minute, longer in proportion for a soak. */
export function fuzzTimeoutMs(): number {
  return Math.max(60_000, fuzzRuns(0) * 250);
}

/** Every request of the fuzz suite must be answered within this. */
export const ANSWER_WITHIN_MS = 10_000;

/** Resident memory of a process, in bytes (from /proc). */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/** Open file descriptors of a process. */
export function openFileDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const HEADER_VALUE = fc.stringMatching(/^[\x20-\x7e]{0,120}$/);
/** Values that tend to break parsers and validators. */
const NASTY_STRINGS = ['', ' ', '..', '../../etc/passwd', '%2e%2e%2f', '\u0000', 'null', 'NaN', '-1', '1e309', '9'.repeat(40), 'a'.repeat(5000), '{"$ne":1}', "' OR 1=1 --", '<script>', '\ud800', 'in:"a,b', 'gt:2020-01-01T00:00:00Z'];
const nastyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...NASTY_STRINGS));
/** Any JSON value, with the numbers and strings validators trip on. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  nastyString,
  fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, true, false, null, [], {}),
);

/** A path from the route templates ({x} filled with a known id, a random segment or something nasty), or any path at all. */
export function pathArbitrary(templates: string[], ids: string[]): fc.Arbitrary<string> {
  const segment = fc.oneof(fc.constantFrom(...ids), fc.webSegment(), nastyString.map(encodeSegment), fc.uuid());
  const fromTemplate = fc.tuple(fc.constantFrom(...templates), fc.array(segment, { minLength: 3, maxLength: 3 })).map(([template, values]) => {
    let i = 0;
    return template.replace(/\{[^}]+\}/g, () => values[i++ % values.length]!);
  });
  return fc.oneof({ weight: 4, arbitrary: fromTemplate }, { weight: 1, arbitrary: fc.webPath() });
}

/** A query string from known parameter names and random ones, with nasty values. */
export function queryArbitrary(names: string[]): fc.Arbitrary<string> {
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...names), fc.webSegment()), nastyString).map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`);
  return fc.oneof(fc.constant(''), fc.array(pair, { minLength: 1, maxLength: 6 }).map((pairs) => `?${pairs.join('&')}`), fc.webQueryParameters().map((q) => `?${q}`));
}

/**
 * A request with a random method, path, query, headers and body. Bodies are JSON (random, or
 * `shaped`: the API's own fields with wrong values), text or bytes; content types are the API's
 * and others.
 */
export function requestArbitrary(options: { templates: string[]; ids: string[]; queryNames: string[]; headerNames: string[]; contentTypes: string[]; shaped: fc.Arbitrary<unknown> }): fc.Arbitrary<FuzzRequest> {
  const method = fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND');
  const headers = fc.dictionary(fc.constantFrom(...options.headerNames, 'accept', 'range', 'if-none-match', 'x-request-id', 'x-forwarded-for'), HEADER_VALUE, { maxKeys: 4 });
  const body = fc.oneof(
    { weight: 3, arbitrary: options.shaped.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  return fc
    .record({ method, path: pathArbitrary(options.templates, options.ids), query: queryArbitrary(options.queryNames), headers, contentType: fc.constantFrom(...options.contentTypes, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''), body })
    .map(({ method, path, query, headers, contentType, body }) => ({
      method,
      path: `${path}${query}`,
      headers: { ...headers, ...(contentType ? { 'content-type': contentType } : {}) },
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    }));
}

/** Raw bytes on a TCP connection: request lines, headers and framing no well-behaved client would send. */
export function rawRequestArbitrary(paths: string[], token: { name: string; value: string }): fc.Arbitrary<Buffer> {
  const line = fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'G\u0000T', 'get', ''), fc.oneof(fc.constantFrom(...paths), fc.string({ unit: 'binary-ascii', maxLength: 60 })), fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 extra', ''));
  const header = fc.oneof(
    fc.tuple(fc.string({ unit: 'binary-ascii', maxLength: 20 }), fc.string({ unit: 'binary-ascii', maxLength: 60 })).map(([k, v]) => `${k}: ${v}`),
    fc.constantFrom('Content-Length: 5', 'Content-Length: -1', 'Content-Length: 99999999999999999999', 'Content-Length: 5, 6', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: identity', 'Host:', 'Expect: 100-continue', 'Content-Type: application/json', 'Upgrade: websocket', ' folded: header'),
  );
  const body = fc.oneof(fc.constant(''), fc.constantFrom('5\r\nhello\r\n0\r\n\r\n', 'zz\r\n', '{"a":', '0\r\n\r\n'), fc.string({ unit: 'binary-ascii', maxLength: 100 }));
  const structured = fc.tuple(line, fc.array(header, { maxLength: 6 }), body).map(([[method, path, version], headers, payload]) =>
    Buffer.from(`${method} ${path} ${version}\r\nHost: fuzz\r\n${token.name}: ${token.value}\r\nConnection: close\r\n${headers.join('\r\n')}\r\n\r\n${payload}`, 'latin1'),
  );
  return fc.oneof({ weight: 4, arbitrary: structured }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes)) });
}

/** Sends the bytes, half-closes, and resolves with the status the server answered (0: it closed without one). Rejects if the server keeps the connection past `withinMs`. */
export function sendRaw(port: number, bytes: Buffer, withinMs = ANSWER_WITHIN_MS): Promise<number> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${withinMs} ms for ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`));
    }, withinMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'));
      resolve(match ? Number(match[1]) : 0);
    });
  });
}

type FieldDescriptor = { name: string; label: string; type: string; typeName: string };
type MessageDescriptor = { field: FieldDescriptor[]; oneofDecl: { name: string }[] };

/**
 * Random messages of an AgentGateway type, field by field from the .proto: every scalar kind with
 * edge values, nested messages to a depth, repeated fields, and for a type with a oneof (AgentMessage)
 * one member set.
 */
export class ProtoArbitraries {
  /** The package's types as loaded for grpc-js: each message and enum with its descriptor. */
  private readonly types = loadImagelibV1() as unknown as Record<string, { type?: unknown } | undefined>;

  constructor(private readonly strings: string[]) {}

  message(typeName: string, depth = 3): fc.Arbitrary<Record<string, unknown>> {
    const type = this.descriptor(typeName);
    const fields = type.field.map((field) => ({ key: camelCase(field.name), value: this.field(field, depth) }));
    if (type.oneofDecl.length > 0) return fc.oneof(...fields.map(({ key, value }) => value.map((v) => ({ [key]: v }))));
    return fc.record(Object.fromEntries(fields.map(({ key, value }) => [key, value])), { requiredKeys: [] });
  }

  private field(field: FieldDescriptor, depth: number): fc.Arbitrary<unknown> {
    const single = this.scalar(field, depth);
    return field.label === 'LABEL_REPEATED' ? fc.array(single, { maxLength: depth > 0 ? 4 : 1 }) : single;
  }

  private scalar(field: FieldDescriptor, depth: number): fc.Arbitrary<unknown> {
    switch (field.type) {
      case 'TYPE_STRING':
        return fc.oneof(nastyString, fc.constantFrom(...this.strings), fc.json({ maxDepth: 2 }));
      case 'TYPE_BYTES':
        return fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes));
      case 'TYPE_BOOL':
        return fc.boolean();
      case 'TYPE_DOUBLE':
      case 'TYPE_FLOAT':
        return fc.oneof(fc.double(), fc.constantFrom(0, -1, Number.MAX_VALUE));
      case 'TYPE_INT32':
      case 'TYPE_SINT32':
      case 'TYPE_INT64':
      case 'TYPE_SINT64':
        return fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER));
      case 'TYPE_UINT32':
      case 'TYPE_UINT64':
      case 'TYPE_FIXED32':
      case 'TYPE_FIXED64':
        return fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER));
      case 'TYPE_ENUM': {
        const values = (this.types[field.typeName]?.type as { value: { name: string }[] }).value.map((v) => v.name);
        return fc.constantFrom(...values);
      }
      case 'TYPE_MESSAGE':
        return depth > 0 ? this.message(field.typeName, depth - 1) : fc.constant({});
      default:
        throw new Error(`no arbitrary for ${field.type} (${field.name})`);
    }
  }

  private descriptor(typeName: string): MessageDescriptor {
    const found = this.types[typeName]?.type as MessageDescriptor | undefined;
    if (!found?.field) throw new Error(`no message imagelib.v1.${typeName}`);
    return found;
  }
}

/** Percent-encodes any string (lone surrogates, which cannot be encoded, become U+FFFD). */
function encodeSegment(value: string): string {
  return encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
