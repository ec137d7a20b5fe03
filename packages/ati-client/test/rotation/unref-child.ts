/**
 * Child for the rotator test: starts a rotator with an hour-long token and
 * does nothing else. Its timers are unref'd, so this process must exit by
 * itself right after printing.
 */
import { TokenRotator } from '../../src/token/rotator.ts';
import { issuer } from '../helpers/rotation.ts';

const rotator = new TokenRotator({ issue: issuer(3600), sink: async () => {}, retryInitialMs: 10 });
const event = await rotator.start();
process.stdout.write(`started rotation=${event.rotation}\n`);
