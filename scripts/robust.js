#!/usr/bin/env node
// npm run test:robust [-- --long] [-- --seed N]: the robustness suite alone, on its fixed seeds (the
// same ones npm test runs: test/robust/tally.ts REGRESSION_SEEDS). --long soaks (more steps per
// scenario); --seed replays the scenario a failure printed.
// npm run fuzz [-- --rounds N] [-- --long]: the same suite on fresh seeds (EC_ROBUST_FRESH=1), N rounds
// (default 1). Each failure prints its seed and a replay line, in the failing test's message and again
// under the table of counts at the end of its round.
// Other words go to jest (a file or -t 'name' narrows the run, EC_TEST_NODES=20,26 the node lines).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const env = { ...process.env };
const rest = [];
let rounds = 1;
let fresh = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--long') env.EC_ROBUST_LONG = '1';
  else if (args[i] === '--fresh') fresh = true;
  else if (args[i] === '--seed') env.EC_ROBUST_SEED = args[++i];
  else if (args[i].startsWith('--seed=')) env.EC_ROBUST_SEED = args[i].slice(7);
  else if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i].startsWith('--rounds=')) rounds = Number(args[i].slice(9));
  else rest.push(args[i]);
}
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('--rounds takes a whole number of rounds, at least 1 (npm run fuzz -- --rounds 3)');
  process.exit(2);
}
if (fresh && env.EC_ROBUST_SEED) {
  console.error('--seed replays one seed; leave out --fresh (use npm run test:robust -- --seed N)');
  process.exit(2);
}
if (fresh) env.EC_ROBUST_FRESH = '1';
else delete env.EC_ROBUST_FRESH;

const root = path.join(__dirname, '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const paths = rest.some((a) => /^test\/|\.test\.ts$/.test(a)) ? [] : ['test/robust'];
let failed = 0;
for (let round = 1; round <= rounds; round++) {
  if (rounds > 1) console.log(`\n=== fuzz round ${round} of ${rounds} ===`);
  const r = spawnSync(process.execPath, [jest, ...paths, ...rest], { stdio: 'inherit', env, cwd: root });
  if (r.status !== 0) failed++;
}
if (rounds > 1) console.log(`\n${failed} of ${rounds} rounds failed${failed ? ' (each failure printed its replay line above)' : ''}`);
process.exit(failed ? 1 : 0);
