/**
 * A real node:http server on 127.0.0.1:0 for client tests. Each test gives it
 * a handler; the server records every request (method, raw URL, headers,
 * body) so tests can assert on what actually went over the wire.
 */

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { AtiError } from '../../src/errors.ts';

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  /** Raw request target: path plus query, exactly as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: SeenRequest[];
  /** Replace the handler. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** Start a server; `close()` drops every open connection, so hanging handlers don't block teardown. */
export async function startServer(handler: Handler = json(200, {})): Promise<TestServer> {
  let current = handler;
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      Promise.resolve(current(req, res, seen)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = portOf(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function portOf(server: Server): number {
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object', 'server is not listening on TCP');
  return address.port;
}

/** Handler answering a JSON body with a status. */
export function json(status: number, body: unknown): Handler {
  return (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

/** Handler answering raw bytes or text. */
export function raw(status: number, body: string | Uint8Array, contentType = 'application/json'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}

/** A port that was bound and then released: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = portOf(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Await a rejection and return it as an AtiError with the expected code. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<AtiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AtiError, `expected an AtiError, got ${inspect(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  assert.fail(`expected rejection with ${code}, but it resolved`);
}

/** Every rendering of an error a log line could contain. */
export function renderings(error: unknown): string[] {
  const out = [String(error), inspect(error, { depth: 10 }), JSON.stringify(error) ?? ''];
  if (error instanceof Error) out.push(error.message, error.stack ?? '');
  return out;
}
