// Whose code a file is: the one definition (issue 12 item 6). edit-continue's own files are its
// built dist/ (and src/, under ts-jest) folders and register.js, not the package folder: a program
// inside a clone of the package (`fixtures/demo/shop.js`) is the program's. Dependency-free: the
// preload uses it too.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * - program: the user's code (watched, patched, shown in stacks).
 * - library: a file under a node_modules folder (not watched unless --watch names it; folded in stacks).
 * - node: node's own code, or code with no file (eval): folded in stacks.
 * - edit-continue: our preload and its hooks, running inside the program.
 */
export type Origin = 'program' | 'library' | 'node' | 'edit-continue';

function real(dir: string): string {
  try { return fs.realpathSync.native(dir); } catch { return dir; }
}

// this file is <package>/dist/util/origin.js (or <package>/src/util/origin.ts under ts-jest)
const PACKAGE = path.resolve(__dirname, '..', '..');
const ROOTS = [...new Set([PACKAGE, real(PACKAGE)])];
const EDIT_CONTINUE_DIRS = ROOTS.flatMap((p) => [path.join(p, 'dist') + path.sep, path.join(p, 'src') + path.sep]);
/** `edit-continue/register`, which a program started without us --requires. */
const EDIT_CONTINUE_FILES = new Set(ROOTS.map((p) => path.join(p, 'register.js')));

/** Is this absolute path one of edit-continue's files (its preload and hooks, running in the program)? */
export function isEditContinueFile(file: string): boolean {
  return EDIT_CONTINUE_FILES.has(file) || EDIT_CONTINUE_DIRS.some((d) => file.startsWith(d));
}

export function isLibraryFile(file: string): boolean {
  return file.split(path.sep).includes('node_modules');
}

/** Whose code a script's file is; null (no file) is node's own code or eval. */
export function originOf(file: string | null): Origin {
  if (file === null) return 'node';
  if (isEditContinueFile(file)) return 'edit-continue';
  if (isLibraryFile(file)) return 'library';
  return 'program';
}
