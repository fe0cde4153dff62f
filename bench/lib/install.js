// Installs the peer tools (bench/package.json: nodemon, Deno, Bun) from the npm registry into
// bench/node_modules, unless they are there already. Scripts are never run: Deno and Bun come as their
// platform packages, which carry the binary itself.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..');

function installed() {
  return fs.existsSync(path.join(dir, 'node_modules', 'nodemon', 'package.json'));
}

function installPeers({ log = console.log } = {}) {
  if (installed()) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const lock = fs.existsSync(path.join(dir, 'package-lock.json'));
  log('installing the peer tools (nodemon, deno, bun) into bench/node_modules ...');
  execFileSync(npm, [lock ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
}

module.exports = { installPeers };
