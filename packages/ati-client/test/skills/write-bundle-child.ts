/**
 * Child process for bundle-writer-kill.test.ts: writes one large bundle so the
 * parent can SIGKILL it mid-write.
 * Usage: write-bundle-child.ts <destDir> <name> <fileCount> <tag>
 */
import { writeSkillBundle } from '../../src/skills/bundle-writer.ts';
import { bundleFor } from './kill-bundle.ts';

const [destDir, name, count, tag] = process.argv.slice(2);
if (destDir === undefined || name === undefined || count === undefined || tag === undefined) {
  process.stderr.write('usage: write-bundle-child.ts <destDir> <name> <fileCount> <tag>\n');
  process.exit(2);
}
await writeSkillBundle(destDir, name, bundleFor(tag, Number(count)));
