/**
 * A hash of the files a build is made from, so a cached build (the web app's, a synthesized assembly) is
 * reused while its sources are unchanged: every file below each path in a stable order, named by its path
 * from the repository root, skipping the folders in `excluded`.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPOSITORY_ROOT } from './aurora-function';

/** A running hash of the files below `paths` (relative to the repository root); add to it, then digest. */
export function hashOfSources(paths: readonly string[], excluded: ReadonlySet<string>): Hash {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!excluded.has(entry)) visit(join(path, entry));
    } else {
      hash.update(relative(REPOSITORY_ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const path of paths) visit(join(REPOSITORY_ROOT, path));
  return hash;
}

/** The short form of a source hash that names a cached build. */
export const shortDigest = (hash: Hash): string => hash.digest('hex').slice(0, 16);
