/**
 * Child process for download-kill.test.ts: downloads one skill through the
 * orchestrator so the parent can SIGKILL it mid-write.
 * Usage: download-child.ts <proxyUrl> <destDir> <name>
 */
import { AtiOrchestrator } from '../../src/orchestrator.ts';

const [proxyUrl, destDir, name] = process.argv.slice(2);
if (proxyUrl === undefined || destDir === undefined || name === undefined) {
  process.stderr.write('usage: download-child.ts <proxyUrl> <destDir> <name>\n');
  process.exit(2);
}
const orch = new AtiOrchestrator({ proxyUrl, secret: '11'.repeat(32) });
await orch.downloadSkill(name, destDir);
