// One definition of whose code a file is (issue 12 item 6): edit-continue's own files are its dist/
// and src/ folders, not the package folder, so a program inside a clone (fixtures/) is the program's.
import * as path from 'node:path';
import { isEditContinueFile, originOf } from '../../src/util/origin';

const ROOT = path.resolve(__dirname, '..', '..');

describe('originOf', () => {
  test("the package's dist/ and src/ are edit-continue's own", () => {
    expect(originOf(path.join(ROOT, 'dist', 'inject', 'hooks.js'))).toBe('edit-continue');
    expect(originOf(path.join(ROOT, 'src', 'inject', 'hooks.ts'))).toBe('edit-continue');
    expect(isEditContinueFile(path.join(ROOT, 'dist', 'live.js'))).toBe(true);
    expect(originOf(path.join(ROOT, 'register.js'))).toBe('edit-continue');
  });

  test('a program inside the package folder (a clone\'s fixtures/) is the program\'s', () => {
    expect(originOf(path.join(ROOT, 'fixtures', 'demo', 'shop.js'))).toBe('program');
    expect(originOf(path.join(ROOT, 'distribution', 'x.js'))).toBe('program'); // a prefix is not a folder
  });

  test('node_modules is library code, no file is node\'s own', () => {
    expect(originOf('/app/node_modules/express/lib/router/index.js')).toBe('library');
    expect(originOf('/app/src/server.js')).toBe('program');
    expect(originOf(null)).toBe('node');
  });
});
