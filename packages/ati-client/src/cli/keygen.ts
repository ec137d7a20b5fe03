/**
 * `ati-client keygen [--algorithm ES256|HS256] [--out <dir> [--force]]`:
 * same output as `ati token keygen` (contract §1.5–1.6), or key files.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { generateKeyPair, generateSecret } from '../jws/keys.ts';
import { errnoCode } from '../util/values.ts';
import { type CliContext, type Command, parse, printJson } from './context.ts';

export const KEYGEN_HELP = `Usage: ati-client keygen [--algorithm ES256|HS256] [--out <dir> [--force]] [--json]

Generate signing keys. ES256 (default) prints the PKCS#8 private key PEM, a
blank line, the SPKI public key PEM and a blank line, as \`ati token keygen\`
does. HS256 prints a 32-byte secret as 64 hex characters.

--out <dir>  Write the keys to files instead (the directory is created, mode 0700):
             ES256 <dir>/private.pem (mode 0600) and <dir>/public.pem (0644);
             HS256 <dir>/secret.hex (0600). Only the paths are printed.
--force      Replace existing key files (atomically); without it keygen refuses.
`;

/** A key file to write, with its mode. */
interface KeyFile {
  name: string;
  text: string;
  mode: number;
}

/**
 * Write each file to a temporary name in `dir` with its final mode, then move
 * it into place: `link` (fails if the name exists) without `force`, `rename`
 * (replaces) with it. A file that existed keeps no old mode, and a reader
 * never sees half a key. Without `force`, nothing is written if any name is taken.
 */
async function writeKeyFiles(dir: string, files: KeyFile[], force: boolean): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tag = randomBytes(6).toString('hex');
  const temps = files.map((f) => join(dir, `.${f.name}.${tag}.tmp`));
  const placed: string[] = [];
  let current = files[0]!.name;
  try {
    for (const [i, f] of files.entries()) {
      await writeFile(temps[i]!, f.text, { mode: f.mode, flag: 'wx' });
      await chmod(temps[i]!, f.mode); // the create mode passes through the umask; set the exact bits
    }
    for (const [i, f] of files.entries()) {
      const target = join(dir, f.name);
      current = f.name;
      if (force) await rename(temps[i]!, target);
      else {
        await link(temps[i]!, target);
        placed.push(target);
      }
    }
    return files.map((f) => join(dir, f.name));
  } catch (err) {
    // Undo a half-done pair: the first file linked, the second name taken.
    await Promise.all(placed.map((p) => rm(p, { force: true })));
    const code = errnoCode(err);
    if (code === 'EEXIST')
      throw new UsageError(`${join(dir, current)} already exists; pass --force to replace it`);
    throw new UsageError(`Cannot write key files into ${dir}: ${code ?? 'error'}`);
  } finally {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
  }
}

async function writeOut(
  ctx: CliContext,
  dir: string,
  force: boolean,
  json: boolean,
  key: { algorithm: 'ES256'; privateKey: string; publicKey: string } | { algorithm: 'HS256'; secret: string },
): Promise<number> {
  const files: KeyFile[] =
    key.algorithm === 'HS256'
      ? [{ name: 'secret.hex', text: `${key.secret}\n`, mode: 0o600 }]
      : [
          { name: 'private.pem', text: key.privateKey, mode: 0o600 },
          { name: 'public.pem', text: key.publicKey, mode: 0o644 },
        ];
  const paths = await writeKeyFiles(dir, files, force);
  if (json) {
    printJson(
      ctx,
      key.algorithm === 'HS256'
        ? { algorithm: 'HS256', secretFile: paths[0] }
        : { algorithm: 'ES256', privateKeyFile: paths[0], publicKeyFile: paths[1] },
    );
  } else ctx.stdout.write(paths.map((p) => `${p}\n`).join(''));
  if (ctx.stderr.isTTY === true && !json) {
    ctx.stderr.write(
      key.algorithm === 'HS256'
        ? 'Set its contents as ATI_JWT_SECRET on the proxy and the orchestrator.\n'
        : `Point the orchestrator at ATI_JWT_PRIVATE_KEY=${paths[0]} and the proxy at ATI_JWT_PUBLIC_KEY=${paths[1]}.\n`,
    );
  }
  return 0;
}

export const keygen: Command = async (ctx, args) => {
  const { values } = parse(args, {
    algorithm: { type: 'string', short: 'a' },
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
  });
  if (values.help) {
    ctx.stdout.write(KEYGEN_HELP);
    return 0;
  }
  const alg = (values.algorithm ?? 'ES256').toUpperCase();
  if (alg !== 'ES256' && alg !== 'HS256') throw new UsageError('--algorithm must be ES256 or HS256');
  if (values.force && values.out === undefined) throw new UsageError('--force goes with --out <dir>');
  if (values.out === '') throw new UsageError('--out needs a directory');
  const json = values.json === true;
  const hint = ctx.stderr.isTTY === true && !json;
  if (alg === 'HS256') {
    const secret = generateSecret();
    if (values.out !== undefined)
      return writeOut(ctx, values.out, values.force === true, json, { algorithm: 'HS256', secret });
    if (json) printJson(ctx, { algorithm: 'HS256', secret });
    else ctx.stdout.write(`${secret}\n`);
    if (hint) ctx.stderr.write('Set it as ATI_JWT_SECRET on the proxy and the orchestrator.\n');
    return 0;
  }
  const { privateKey, publicKey } = await generateKeyPair();
  if (values.out !== undefined) {
    return writeOut(ctx, values.out, values.force === true, json, {
      algorithm: 'ES256',
      privateKey,
      publicKey,
    });
  }
  if (json) printJson(ctx, { algorithm: 'ES256', privateKey, publicKey });
  else ctx.stdout.write(`${privateKey}\n${publicKey}\n`);
  if (hint) {
    ctx.stderr.write(
      'Save the private key for the orchestrator (ATI_JWT_PRIVATE_KEY=<path>) and the public key for the proxy (ATI_JWT_PUBLIC_KEY=<path>).\n',
    );
  }
  return 0;
};
