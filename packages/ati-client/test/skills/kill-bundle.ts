/** The bundle shape shared by bundle-writer-kill.test.ts and its child process. */

/** `count` files under `files/`, each 2 KiB and stamped with `tag`, plus a SKILL.md naming the version. */
export function bundleFor(tag: string, count: number): Record<string, string> {
  const files: Record<string, string> = { 'SKILL.md': `# ${tag}\n` };
  for (let i = 0; i < count; i++) {
    const dir = `files/${String(Math.floor(i / 100)).padStart(3, '0')}`;
    files[`${dir}/${String(i).padStart(5, '0')}.txt`] = `${tag}:${i}:`.padEnd(2048, tag);
  }
  return files;
}
