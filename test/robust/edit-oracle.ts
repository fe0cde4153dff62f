// The differential oracle's code, one copy for every edit-fuzz fixture (fixtures/robust/edit/*).
// A fixture has a line `// @oracle` where cap() and the closure made by makeNest() go; copying the
// fixture for a run writes them there (`export`ed in an ES module, which its entry imports). The fuzz
// edits the `// CAP` and `// NEST` lines (edit-fuzz.test.ts), the program calls both through the
// references it took at load, and EC_FUZZ_ORACLE=1 prints what a fresh load returns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFixtureDir } from './fuzz-kit';

const MARK = /^\/\/ @oracle\b.*$/m;

/** The oracle's definitions: BASE and SPARE (cap() starts or stops using them), cap(), makeNest() and nest. */
export function oracleBlock(exported: boolean): string {
  const ex = exported ? 'export ' : '';
  return [
    '// The differential oracle (test/robust/edit-oracle.ts): the fuzz edits cap() and the closure',
    '// makeNest() made at load so that they start or stop using an outer variable; the program calls both',
    '// through the references it took at load, and EC_FUZZ_ORACLE=1 prints what a fresh load returns.',
    'const BASE = 3;',
    'const SPARE = 4;',
    '',
    `${ex}function cap() {`,
    '  return BASE; // CAP',
    '}',
    '',
    'function makeNest() {',
    '  const a = 1;',
    '  const b = 2;',
    '  return () => a + 0; // NEST',
    '}',
    '',
    `${ex}const nest = makeNest();`,
  ].join('\n');
}

/** A fixture's text with the oracle written at its `// @oracle` line (a text without one is left as it is). */
export function withOracle(text: string, file: string): string {
  return text.replace(MARK, () => oracleBlock(file.endsWith('.mjs')));
}

/** A fresh copy of an edit-fuzz fixture folder, the oracle written into its files. */
export function copyEditFixture(name: string): string {
  const dir = copyFixtureDir(name);
  for (const file of fs.readdirSync(dir)) {
    const p = path.join(dir, file);
    const text = fs.readFileSync(p, 'utf8');
    const done = withOracle(text, file);
    if (done !== text) fs.writeFileSync(p, done);
  }
  return dir;
}
