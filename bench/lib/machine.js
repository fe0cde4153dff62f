// What the numbers were measured on: machine, node, the edit-continue commit.
'use strict';
const { execFileSync } = require('node:child_process');
const os = require('node:os');

function git(args, cwd) {
  try { return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return ''; }
}

function describeMachine(root) {
  const cpus = os.cpus();
  const commit = git(['rev-parse', '--short', 'HEAD'], root);
  const dirty = git(['status', '--porcelain', '--', 'src'], root);
  return {
    cpu: `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: commit ? `${commit}${dirty ? ' (with uncommitted changes in src/)' : ''}` : 'unknown',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

module.exports = { describeMachine };
