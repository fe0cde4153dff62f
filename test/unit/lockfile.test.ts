// `npm ci` on a fresh clone needs every platform's optional packages in the lockfile (see
// scripts/check-lockfile.js for how they go missing). This catches a bad lockfile on the machine that
// wrote it, before a user's CI does.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Missing { name: string; spec: string; requiredBy: string; optional: boolean }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { missingFromLock } = require('../../scripts/check-lockfile.js') as { missingFromLock(lock: unknown): Missing[] };

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string): unknown => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

describe('package-lock.json is complete for npm ci', () => {
  test.each(['package-lock.json', 'nodes/package-lock.json'])('%s locks every declared dependency, other platforms included', (file) => {
    expect(missingFromLock(read(file))).toEqual([]);
  });

  test("names an optional package of another platform that the lockfile lost (what npm ci refuses)", () => {
    const lock = {
      packages: {
        '': { devDependencies: { jest: '^30.0.0' } },
        'node_modules/jest': { version: '30.0.0', dependencies: { 'unrs-resolver': '^1.0.0' } },
        'node_modules/unrs-resolver': { version: '1.13.0', optionalDependencies: { '@unrs/binding-linux-x64': '1.13.0', '@unrs/binding-darwin-arm64': '1.13.0' } },
        'node_modules/@unrs/binding-linux-x64': { version: '1.13.0', optional: true },
      },
    };
    expect(missingFromLock(lock)).toEqual([{ name: '@unrs/binding-darwin-arm64', spec: '1.13.0', requiredBy: 'node_modules/unrs-resolver', optional: true }]);
  });

  test('finds a dependency where node would: nested first, then up the tree', () => {
    const lock = {
      packages: {
        '': { dependencies: { a: '1' } },
        'node_modules/a': { version: '1.0.0', dependencies: { b: '2', c: '1' } },
        'node_modules/a/node_modules/b': { version: '2.0.0', dependencies: { c: '1' } },
        'node_modules/b': { version: '1.0.0' },
        'node_modules/c': { version: '1.0.0' },
      },
    };
    expect(missingFromLock(lock)).toEqual([]);
    delete (lock.packages as Record<string, unknown>)['node_modules/c'];
    expect(missingFromLock(lock).map((m) => `${m.requiredBy} -> ${m.name}`)).toEqual(['node_modules/a -> c', 'node_modules/a/node_modules/b -> c']);
  });
});
