// Runs in the user's program: put retry boundaries (./boundary.ts) into the user's own files as they
// load. Node 22+ has synchronous in-thread load hooks that see require() and import alike; Node 20 has
// neither, so there CommonJS goes through Module.prototype._compile and ES modules through an
// off-thread loader (./esm-hooks.ts). Files under node_modules and our own files are left as they are.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { addBoundaries, type SourceKind } from './boundary';

const OWN_DIR = path.dirname(__dirname);

export function isUserFile(file: string): boolean {
  return path.isAbsolute(file) && !file.startsWith(OWN_DIR + path.sep) && !file.split(path.sep).includes('node_modules');
}

function fileOf(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  try { return fileURLToPath(url); } catch { return null; }
}

type Format = string | null | undefined;
interface LoadResult { format?: Format; source?: string | ArrayBuffer | ArrayBufferView | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: object) => LoadResult;

// The formats a load hook sees. require() of a .js file says nothing yet (node decides after the
// hook): it parses as a script or is left alone. require() of a .ts file says 'typescript'.
const KINDS: Record<string, { kind: SourceKind; format: string | undefined; typescript: boolean }> = {
  undefined: { kind: 'script', format: undefined, typescript: false },
  typescript: { kind: 'script', format: 'commonjs', typescript: true },
  commonjs: { kind: 'script', format: 'commonjs', typescript: false },
  module: { kind: 'module', format: 'module', typescript: false },
  'commonjs-typescript': { kind: 'script', format: 'commonjs', typescript: true },
  'module-typescript': { kind: 'module', format: 'module', typescript: true },
};

function textOf(source: LoadResult['source'], file: string): string {
  if (source === null || source === undefined) return fs.readFileSync(file, 'utf8');
  if (typeof source === 'string') return source;
  return Buffer.from(source as ArrayBuffer).toString('utf8');
}

/** Strip types as node would, without its "experimental" warning (node itself did not warn). */
function stripTypes(text: string): string {
  const mod = require('node:module') as { stripTypeScriptTypes(code: string, options?: object): string };
  const emitWarning = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    return mod.stripTypeScriptTypes(text, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** What one load hook does with one module: add boundaries to user files of a JavaScript format. */
export function transformLoaded(url: string, result: LoadResult): LoadResult {
  const file = fileOf(url);
  const how = KINDS[String(result.format)];
  if (!file || !how || !isUserFile(file)) return result;
  let text = textOf(result.source, file);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (how.typescript) {
    try { text = stripTypes(text); } catch { return result; } // let node report the TypeScript error
  }
  const withBoundaries = addBoundaries(text, how.kind);
  if (withBoundaries === text) return result;
  return { ...result, format: how.format, source: withBoundaries };
}

export function installBoundaries(): void {
  const mod = require('node:module') as typeof import('node:module') & {
    registerHooks?: (hooks: { load(url: string, context: object, next: NextLoad): LoadResult }) => unknown;
  };
  if (typeof mod.registerHooks === 'function') {
    mod.registerHooks({ load: (url, context, next) => transformLoaded(url, next(url, context)) });
    return;
  }
  // Node 20: CommonJS through _compile, ES modules through an off-thread loader.
  const proto = (mod as unknown as { prototype: { _compile(content: string, filename: string, ...rest: unknown[]): unknown } }).prototype;
  const compile = proto._compile;
  proto._compile = function (this: unknown, content: string, filename: string, ...rest: unknown[]) {
    if (typeof content === 'string' && isUserFile(filename)) content = addBoundaries(content, 'script');
    return compile.call(this, content, filename, ...rest);
  };
  if (typeof mod.register === 'function') mod.register(pathToFileURL(path.join(__dirname, 'esm-hooks.js')).href);
}
