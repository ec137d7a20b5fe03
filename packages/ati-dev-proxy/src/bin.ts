#!/usr/bin/env node
/**
 * The `ati-dev-proxy` bin: `ati-dev-proxy [--port <n>] ...` (see `--help`).
 *
 * @module
 */
import { processContext, reportError } from 'ati-client/internal/cli';
import { devProxy } from './cli.ts';

const ctx = processContext();
try {
  process.exitCode = await devProxy(ctx, ctx.argv);
} catch (err) {
  process.exitCode = reportError(ctx, err, ctx.argv.includes('--json'));
}
