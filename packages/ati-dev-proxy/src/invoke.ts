/**
 * One tool invocation, shared by `POST /call` and MCP `tools/call`: find the
 * tool, check its scope (and, for `/call`, the rate limits), run the
 * fixture handler and turn its result into JSON. Each caller maps the
 * outcome to its own status codes and bodies.
 *
 * @module
 */

import { toJson } from './json-out.ts';
import type { ToolRec } from './registry.ts';
import type { RouteContext } from './router.ts';
import type { Json } from './serde-json.ts';
import { rateConfig } from './state.ts';

/** What became of a tool call. `message` is the bare text; callers add their prefixes. */
export type Invocation =
  | { readonly outcome: 'ok'; readonly value: Json }
  | {
      readonly outcome: 'unknown' | 'denied' | 'rate-limited' | 'upstream' | 'processing';
      readonly message: string;
    };

/** One call of a tool. */
export interface ToolCall {
  /** The tool name as the request sent it. */
  readonly name: string;
  readonly args: Json;
  readonly rawArgs: readonly string[] | undefined;
  /**
   * `call`: `_` may stand for `:` and the token's rate limits apply (the
   * proxy's `handle_call`); `mcp`: the exact name, no rate limits.
   */
  readonly via: 'call' | 'mcp';
}

/** The tool a name resolves to; for `/call`, "finnhub_quote" → "finnhub:quote", each `_` left to right. */
function findTool(ctx: RouteContext, call: ToolCall): ToolRec | undefined {
  const index = ctx.state.registry.toolIndex;
  const requested = call.name;
  let tool = index.get(requested);
  if (call.via !== 'call') return tool;
  for (let i = requested.indexOf('_'); i >= 0 && tool === undefined; i = requested.indexOf('_', i + 1)) {
    tool = index.get(`${requested.slice(0, i)}:${requested.slice(i + 1)}`);
  }
  return tool;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Invoke a tool for the caller in `ctx`. */
export async function invokeTool(ctx: RouteContext, call: ToolCall): Promise<Invocation> {
  const tool = findTool(ctx, call);
  if (tool === undefined) return { outcome: 'unknown', message: `Unknown tool: '${call.name}'` };
  const { claims, scopes } = ctx;
  if (tool.scope !== undefined && !scopes.isAllowed(tool.scope)) {
    return { outcome: 'denied', message: `Access denied: '${tool.name}' is not in your scopes` };
  }
  const limits = call.via === 'call' ? rateConfig(claims) : undefined;
  if (limits !== undefined) {
    const denied = ctx.state.rates.check(call.name, limits);
    if (denied !== undefined) return { outcome: 'rate-limited', message: denied };
  }
  let result: unknown;
  try {
    result =
      tool.handler === undefined
        ? call.args
        : await tool.handler(call.args, {
            toolName: tool.name,
            requestedName: call.name,
            claims,
            scopes,
            rawArgs: call.rawArgs,
            via: call.via,
          });
  } catch (err) {
    return { outcome: 'upstream', message: errorMessage(err) };
  }
  try {
    return { outcome: 'ok', value: result === undefined ? { records: [] } : toJson(result) };
  } catch (err) {
    return { outcome: 'processing', message: errorMessage(err) };
  }
}
