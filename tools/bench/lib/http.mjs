// HTTP load helpers for the image-service benchmark: curl for bulk data (a C client, so the
// figures are the server's, not a Node client's), a keep-alive Node client for latencies.
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { track, waitForExit } from './children.mjs';

const MARK = '\n@@curl@@ ';
const CURL_FORMAT = `${MARK}%{http_code} %{size_download} %{size_upload} %{time_total}`;

/**
 * Runs curl with `args` (plus -s, -w and --max-time) and resolves with its status line:
 * `{ status, downloaded, uploaded, seconds, stderr }`. `stdin` may be a readable stream with an fd
 * (another child's stdout) to upload from. Bounded by maxTimeS (curl's --max-time, and a kill
 * shortly after it as a second guard).
 */
export function curl(args, { maxTimeS = 300, stdin = 'ignore' } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn('curl', ['-s', '-S', '-w', CURL_FORMAT, '--max-time', String(maxTimeS), ...args], { stdio: [stdin, 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    const guard = setTimeout(() => child.kill('SIGKILL'), (maxTimeS + 15) * 1000);
    child.once('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    // 'close', not 'exit': the last of curl's output (its -w line) may still be in the pipe when it exits.
    child.once('close', (code, signal) => {
      clearTimeout(guard);
      const at = stdout.lastIndexOf(MARK);
      const [status, downloaded, uploaded, seconds] = (at >= 0 ? stdout.slice(at + MARK.length) : '').trim().split(/\s+/).map(Number);
      if (code !== 0) return reject(new Error(`curl ${args.filter((a) => a.startsWith('http')).join(' ')} failed (exit ${code ?? signal}): ${stderr.trim().slice(0, 300)}`));
      resolve({ status, downloaded, uploaded, seconds, body: at >= 0 ? stdout.slice(0, at) : stdout, stderr });
    });
  });
}

/** GET url into /dev/null; rejects on anything but 200. */
export async function download(url, { maxTimeS = 120 } = {}) {
  const result = await curl(['-o', '/dev/null', url], { maxTimeS });
  if (result.status !== 200) throw new Error(`GET ${url}: HTTP ${result.status} after ${result.downloaded} bytes in ${result.seconds} s${result.stderr ? `: ${result.stderr.trim().slice(0, 300)}` : ''}`);
  return result;
}

/** `streams` downloads at once; resolves with the wall time (first start to last end) and each result. */
export async function parallelDownloads(url, streams, options) {
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: streams }, () => download(url, options)));
  return { seconds: (performance.now() - started) / 1000, bytes: results.reduce((sum, r) => sum + r.downloaded, 0), results };
}

/**
 * PUT the file (or what `stdin` gives) chunked, as glanceclient sends image data: Transfer-Encoding
 * chunked, no Content-Length, no Expect: 100-continue. Resolves with curl's figures; rejects on
 * anything but 2xx.
 */
export async function uploadChunked(url, { file, stdin, headers = {}, maxTimeS = 600 }) {
  const headerArgs = Object.entries({ 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked', Expect: '', ...headers }).flatMap(([name, value]) => ['-H', `${name}:${value === '' ? '' : ` ${value}`}`]);
  const result = await curl(['-X', 'PUT', ...headerArgs, '-T', file ?? '-', url], { maxTimeS, stdin: stdin ?? 'ignore' });
  if (result.status < 200 || result.status > 299) throw new Error(`PUT ${url}: HTTP ${result.status}: ${result.body.slice(0, 300)}`);
  return result;
}

/** `cat` of the file `times` times, as a stream to hand to another child's stdin (an upload of the concatenation). */
export function catRepeated(file, times) {
  const child = track(spawn('cat', Array.from({ length: times }, () => file), { stdio: ['ignore', 'pipe', 'ignore'] }));
  return { child, stdout: child.stdout, done: () => waitForExit(child, 5_000) };
}

/**
 * A keep-alive HTTP/1.1 client with one connection, for latency measurements: the same client
 * code for every server compared. request() resolves with `{ status, headers, body, ms }`, ms from
 * the call to the last byte of the body.
 */
export function latencyClient(baseUrl, { defaultHeaders = {} } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(baseUrl);
  const request = (method, path, { body, headers = {}, timeoutMs = 30_000 } = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const started = performance.now();
      const req = httpRequest(
        {
          host: base.hostname,
          port: base.port,
          method,
          path,
          agent,
          headers: {
            ...defaultHeaders,
            ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
            ...headers,
          },
          timeout: timeoutMs,
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
          response.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  const json = async (method, path, options) => {
    const response = await request(method, path, options);
    const text = response.body.toString('utf8');
    if (response.status < 200 || response.status > 299) throw new Error(`${method} ${base.origin}${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
    return { ...response, json: text ? JSON.parse(text) : null };
  };
  return { request, json, close: () => agent.destroy() };
}
