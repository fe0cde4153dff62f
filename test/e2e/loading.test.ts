// Boundaries as modules load, on every supported node line, without the controller
// (`node --require edit-continue/register`): CommonJS, ES modules however they are reached, and
// on Node 20 the ES module loader thread started only when something may load an ES module.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT_DIR, testConfigs, useEngine } from '../helpers/nodes';

const REGISTER = path.join(ROOT_DIR, 'register.js');
const has = `const b = (f) => (/void 0xEC/.test(f.toString()) ? 'boundary' : 'none');\n`;

const FILES: Record<string, string> = {
  'lib.mjs': 'export function half(x) { return x / 2; }\n',
  'dynamic.cjs': `${has}function own() { return 1; }\nimport('./lib.mjs').then((m) => console.log(b(m.half), b(own)));\n`,
  'require-esm.cjs': `${has}const m = require('./lib.mjs');\nconsole.log(b(m.half));\n`,
  'entry.mjs': `import { half } from './lib.mjs';\n${has}function own() { return 1; }\nconsole.log(b(half), b(own));\n`,
  'typeless/main.js': `import { half } from '../lib.mjs';\n${has}function own() { return 1; }\nconsole.log(b(half), b(own));\n`,
  'module-pkg/package.json': '{ "type": "module" }\n',
  'module-pkg/main.js': `import { half } from '../lib.mjs';\n${has}export function own() { return 1; }\nconsole.log(b(half), b(own));\n`,
  'plain.cjs': `${has}function own() { return 1; }\nconsole.log(b(own));\n`,
  'threads.cjs': "const fs = require('node:fs');\nconsole.log(fs.readdirSync('/proc/self/task').length);\n",
};

describe.each(testConfigs())('$label', ({ bin, major, engine }) => { useEngine(engine);
  let dir: string;
  let cacheDir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-loading-'));
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-loading-cache-'));
    for (const [name, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  const run = (script: string, args: string[] = ['--require', REGISTER]) =>
    execFileSync(bin, [...args, script], { cwd: dir, encoding: 'utf8', env: { ...process.env, EDIT_CONTINUE_CACHE_DIR: cacheDir }, stdio: ['ignore', 'pipe', 'ignore'] }).trim();

  // twice: the second run takes its texts from the cache
  test.each(['first', 'second'])('%s run: every way to reach an ES module gives it boundaries', () => {
    expect(run('plain.cjs')).toBe('boundary');
    expect(run('dynamic.cjs')).toBe('boundary boundary');
    expect(run('entry.mjs')).toBe('boundary boundary');
    expect(run('typeless/main.js')).toBe('boundary boundary');
    expect(run('module-pkg/main.js')).toBe('boundary boundary');
    expect(run('require-esm.cjs')).toBe('boundary');
  });

  (process.platform === 'linux' ? test : test.skip)('a CommonJS program starts no thread of ours (no ES module loader thread on node 20)', () => {
    expect(Number(run('threads.cjs'))).toBe(Number(run('threads.cjs', [])));
    if (major === 20) {
      // with a flag that may bring ES modules, the loader thread does start
      expect(Number(run('threads.cjs', ['--require', REGISTER, '--experimental-loader', 'data:text/javascript,']))).toBeGreaterThan(Number(run('threads.cjs', [])));
    }
  });
});
