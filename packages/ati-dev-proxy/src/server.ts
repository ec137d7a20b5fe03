/**
 * node:http adapter for the dev proxy: one server on a local port, each
 * request handed to the fetch-handler core with its raw request target (so
 * `/skills/%2e%2e/bundle` reaches routing as the proxy sees it, not
 * normalized), its body streamed lazily with a cap, and the Web `Response`
 * written back. Node only.
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AtiError } from 'ati-client/internal';
import { createDevProxy, type DevRequest, rawHandlerOf } from './proxy.ts';
import type { RunningDevProxy, StartDevProxyOptions } from './types.ts';

/** Bytes of an unread or oversized body we discard before giving up on the connection. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1];
  return undefined;
}

/** Reads the body at most once, on demand, stopping at a cap; afterwards the rest can be drained. */
class BodyReader {
  private done = false;
  private read?: Promise<Uint8Array | undefined>;
  constructor(private readonly req: IncomingMessage) {
    req.on('end', () => {
      this.done = true;
    });
    req.on('error', () => {
      this.done = true;
    });
  }

  body(limit: number): Promise<Uint8Array | undefined> {
    if (this.read !== undefined) return this.read;
    const req = this.req;
    this.read = new Promise<Uint8Array | undefined>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) {
        resolve(undefined);
        return;
      }
      const onData = (chunk: Buffer): void => {
        total += chunk.length;
        if (total > limit) {
          cleanup();
          resolve(undefined);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(new Uint8Array(Buffer.concat(chunks)));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const cleanup = (): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.pause();
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.resume();
    });
    return this.read;
  }

  /** Discard whatever the handler did not read; close the connection if there is too much. */
  drain(): void {
    if (this.done) return;
    const req = this.req;
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DRAIN_LIMIT) req.socket.destroy();
    });
    req.resume();
  }
}

async function serve(
  handle: (r: DevRequest) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const reader = new BodyReader(req);
  req.pause();
  const target = req.url ?? '/';
  let response: Response;
  try {
    response = await handle({
      method: req.method ?? 'GET',
      // An absolute-form target (`GET http://host/path`) is reduced to its path and query.
      target: target.startsWith('/') ? target : absoluteToOrigin(target),
      header: (name) => firstHeader(req, name.toLowerCase()),
      body: (limit) => reader.body(limit),
    });
  } catch {
    response = new Response(null, { status: 500 });
  }
  let payload: Uint8Array;
  try {
    payload = new Uint8Array(await response.arrayBuffer());
  } catch {
    payload = new Uint8Array(0);
  }
  if (res.destroyed) return;
  try {
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    headers['content-length'] = String(payload.byteLength);
    res.writeHead(response.status, headers);
    if (req.method === 'HEAD') res.end();
    else res.end(payload);
  } catch {
    res.destroy();
  }
  reader.drain();
}

function absoluteToOrigin(target: string): string {
  try {
    const u = new URL(target);
    return u.pathname + u.search;
  } catch {
    return target;
  }
}

/**
 * Start the dev proxy on a local port (default: any free port on
 * 127.0.0.1), serving the same app as {@link createDevProxy} over node:http.
 * Waits for `skillsDir` to load before listening.
 *
 * @throws {AtiError} what `createDevProxy` throws, a `skillsDir` load error
 *   (`ERR_SKILL_BUNDLE_INVALID`), `ERR_KEY_DATABASE` when the virtual-key
 *   database cannot be opened, or `ERR_INVALID_ARGUMENT` for a bad port.
 * @example
 * ```ts
 * const proxy = await startDevProxy({ ...sampleFixtures, secret });
 * const res = await fetch(`${proxy.url}/health`);
 * await proxy.close();
 * ```
 */
export async function startDevProxy(options: StartDevProxyOptions = {}): Promise<RunningDevProxy> {
  const { port = 0, host = '127.0.0.1', ...rest } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AtiError('ERR_INVALID_ARGUMENT', 'port must be an integer from 0 to 65535');
  }
  const handler = createDevProxy(rest);
  try {
    await handler.ready;
  } catch (err) {
    await handler.close();
    throw err;
  }
  const handle = rawHandlerOf(handler);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void serve(handle, req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Malformed HTTP: answer 400 when the socket still can, never throw.
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    handler,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }).then(() => handler.close());
      return closing;
    },
  };
}
