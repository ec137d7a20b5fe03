#!/usr/bin/env node
/**
 * The `ati-client` bin.
 *
 * @module
 */
import { processContext } from './context.ts';
import { runCli } from './run.ts';

const ctx = processContext();
process.exitCode = await runCli(ctx.argv, ctx);
