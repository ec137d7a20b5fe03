/**
 * `POST /mcp` (contract §4.2): JSON-RPC 2.0 over one request body,
 * `initialize`, `notifications/initialized`, `tools/list` and `tools/call`.
 * Method errors are 200 with a JSON-RPC `error`; tool failures are a result
 * with `isError: true`.
 *
 * @module
 */

import type { JsonObject } from 'ati-client/internal';
import { json, jsonBytes, text } from '../http.ts';
import { invokeTool } from '../invoke.ts';
import { prettyJson, sortedJson } from '../json-out.ts';
import type { Route, RouteContext } from '../router.ts';
import { isJsonObject, type Json, SerdeError, valueFromSlice } from '../serde-json.ts';

function objectOr(value: Json | undefined): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

/** One JSON-RPC exchange: answers carry the request's `id` (`null` when absent). */
class Rpc {
  constructor(readonly id: Json) {}

  ok(result: Json): Response {
    return json(200, sortedJson({ jsonrpc: '2.0', id: this.id, result }));
  }

  fail(code: number, message: string): Response {
    return json(200, sortedJson({ jsonrpc: '2.0', id: this.id, error: { code, message } }));
  }
}

async function toolsCall(ctx: RouteContext, rpc: Rpc, params: JsonObject | undefined): Promise<Response> {
  const name = typeof params?.name === 'string' ? params.name : '';
  if (name === '') return rpc.fail(-32602, 'Missing tool name in params.name');
  const done = await invokeTool(ctx, {
    name,
    args: objectOr(params?.arguments) ?? {},
    rawArgs: undefined,
    via: 'mcp',
  });
  switch (done.outcome) {
    case 'ok': {
      const out = typeof done.value === 'string' ? done.value : prettyJson(done.value);
      return rpc.ok({ content: [{ type: 'text', text: out }], isError: false });
    }
    case 'unknown':
      return rpc.fail(-32602, done.message);
    case 'denied':
      return rpc.fail(-32001, done.message);
    default:
      return rpc.ok({ content: [{ type: 'text', text: `Error: ${done.message}` }], isError: true });
  }
}

async function mcp(ctx: RouteContext): Promise<Response> {
  const bytes = await jsonBytes(ctx.req, ctx.state.maxBody);
  if (bytes instanceof Response) return bytes;
  let msg: Json;
  try {
    msg = valueFromSlice(bytes);
  } catch (err) {
    if (!(err instanceof SerdeError)) throw err;
    return text(400, `Failed to parse the request body as JSON: ${err.serdeMessage()}`);
  }
  const obj = objectOr(msg);
  const method = typeof obj?.method === 'string' ? obj.method : '';
  const rpc = new Rpc(obj !== undefined && Object.hasOwn(obj, 'id') ? obj.id! : null);
  switch (method) {
    case 'initialize':
      return rpc.ok({
        protocolVersion: '2025-03-26',
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: 'ati-proxy', version: ctx.state.version },
      });
    case 'notifications/initialized':
      return json(202, 'null');
    case 'tools/list':
      return rpc.ok({
        tools: ctx.state.registry.visibleTools(ctx.scopes).map((t) => ({
          name: t.name,
          description: t.description,
          inputSchema: t.inputSchema ?? { type: 'object', properties: {} },
        })),
      });
    case 'tools/call':
      return toolsCall(ctx, rpc, objectOr(obj?.params));
    default:
      return rpc.fail(-32601, `Method not found: '${method}'`);
  }
}

/** The MCP route. */
export const mcpRoutes: readonly Route[] = [{ method: 'POST', path: '/mcp', handle: mcp }];
