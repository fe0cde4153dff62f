#!/usr/bin/env node
// Installs the Node binaries the end-to-end tests run targets on (22, 24, 26; the system node is 20)
// from the npm registry into nodes/node_modules, unless they are there already.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(__dirname, '..', 'nodes');
const want = ['node22', 'node24', 'node26'];
const have = want.every((n) => fs.existsSync(path.join(dir, 'node_modules', n, 'bin', 'node')));
if (have) process.exit(0);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const lock = fs.existsSync(path.join(dir, 'package-lock.json'));
console.log(`installing test node binaries (${want.join(', ')}) into nodes/ ...`);
execFileSync(npm, [lock ? 'ci' : 'install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
