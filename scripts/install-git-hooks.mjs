// Run by `npm install` (prepare): points git at .githooks/ so the pre-commit hook formats and lints staged
// files. Outside a git checkout (a tarball, an npm pack) there is nothing to set up.
import { execFileSync } from 'node:child_process';

try {
  execFileSync('git', ['rev-parse', '--git-dir'], { stdio: 'ignore' });
} catch {
  process.exit(0);
}
execFileSync('git', ['config', 'core.hooksPath', '.githooks']);
