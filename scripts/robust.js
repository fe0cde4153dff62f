#!/usr/bin/env node
// npm run test:robust [-- --long] [-- --seed N]: the robustness suite alone. --long soaks (more
// steps per scenario); --seed replays the scenario a failure printed.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const env = { ...process.env };
const rest = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--long') env.EC_ROBUST_LONG = '1';
  else if (args[i] === '--seed') env.EC_ROBUST_SEED = args[++i];
  else if (args[i].startsWith('--seed=')) env.EC_ROBUST_SEED = args[i].slice(7);
  else rest.push(args[i]);
}
const jest = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const r = spawnSync(process.execPath, [jest, 'test/robust', ...rest], { stdio: 'inherit', env, cwd: path.join(__dirname, '..') });
process.exit(r.status ?? 1);
