#!/usr/bin/env node
// The 30-second demo: run fixtures/demo/shop.js under edit-continue, fix its pricing function while it
// runs (saved the way vim and VS Code save: write a temporary file, rename it over), and watch the
// running program use the new code with its state intact.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edit-continue-demo-'));
const file = path.join(dir, 'shop.js');
fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'demo', 'shop.js'), file);
console.log('$ edit-continue shop.js\n');
const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'edit-continue'), 'shop.js'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });

setTimeout(() => {
  const text = fs.readFileSync(file, 'utf8').replace(
    'return item.qty * 10; // the bug: no discount for big orders',
    'return item.qty >= 3 ? item.qty * 8 : item.qty * 10; // fixed while running',
  );
  const tmp = file + '.swp';
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  console.log('\n--- saved shop.js: price() now gives 20% off for 3 or more; the orders and the total so far stay ---\n');
}, 1700);

child.on('exit', (code) => {
  console.log(`\nThe program ran on with its state: no restart. (exit ${code})`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? 1);
});
