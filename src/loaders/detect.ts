// Pure: which TypeScript loader a node command line (and NODE_OPTIONS) names, if any. A program run
// through one has its .ts files compiled by that loader, so a save is compiled by it too
// (./transform.ts); for one that writes a module on one line `--engine auto` picks the swap engine
// (src/launch/engine-choice.ts).

const LOADER = /^(?:tsx(?:\/(?:cjs|esm)(?:\/api)?)?|ts-node(?:\/(?:register(?:\/[\w-]+)?|esm(?:\.mjs)?))?|@swc-node\/register(?:\/esm-register)?|esbuild-register(?:\/dist\/node)?|@esbuild-kit\/(?:cjs|esm)-loader|@babel\/register|sucrase\/register(?:\/[\w-]+)?)$/;
const TAKES_MODULE = new Set(['--import', '--loader', '--experimental-loader', '-r', '--require']);

/** The loader module a node command line loads before the program (tsx, ts-node/register, …), or null. */
export function typescriptLoaderOf(nodeArgs: readonly string[], nodeOptions = ''): string | null {
  const words = [...nodeOptions.split(/\s+/).filter(Boolean), ...nodeArgs];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const eq = w.indexOf('=');
    const [flag, value] = eq > 0 ? [w.slice(0, eq), w.slice(eq + 1)] : [w, words[i + 1]];
    if (!TAKES_MODULE.has(flag) || value === undefined) continue;
    if (LOADER.test(value)) return value;
    const file = loaderFileOf(value);
    if (file) return file;
    const registered = value.startsWith('data:') ? registeredIn(value) : null;
    if (registered) return registered;
  }
  return null;
}

/**
 * A loader named by a file of its package (`/app/node_modules/tsx/dist/loader.mjs`, as a path or a
 * file: URL): the package's name. edit-continue itself gives `tsx` so when it runs the tsx binary's
 * loader in the node it starts (src/loaders/launchers.ts), and a global install can only be named so.
 */
function loaderFileOf(value: string): string | null {
  let name: string | null = null;
  for (const m of value.matchAll(/[\\/]node_modules[\\/]((?:@[\w.-]+[\\/])?[\w.-]+)(?=[\\/])/g)) name = m[1].replace(/\\/g, '/');
  return name !== null && LOADER.test(name) ? name : null;
}

/**
 * The loader a `data:` module given to --import registers (`register("ts-node/esm", …)`, as node's
 * own warning for --loader suggests), or null.
 */
function registeredIn(dataUrl: string): string | null {
  let text = dataUrl;
  try { text = decodeURIComponent(dataUrl); } catch { /* as written */ }
  for (const m of text.matchAll(/\bregister\s*\(\s*(["'`])([^"'`]+)\1/g)) {
    if (LOADER.test(m[2])) return m[2];
  }
  return null;
}

/**
 * May node, so started, run a .ts file? A TypeScript loader it names, or any loader of the program's
 * own (`--loader`, or a file given to `--import`/`--require`, as a register script is).
 */
export function mayCompileTypeScript(nodeArgs: readonly string[], nodeOptions = ''): boolean {
  if (typescriptLoaderOf(nodeArgs, nodeOptions)) return true;
  const words = [...nodeOptions.split(/\s+/).filter(Boolean), ...nodeArgs];
  return words.some((w, i) => {
    const eq = w.indexOf('=');
    const [flag, value] = eq > 0 ? [w.slice(0, eq), w.slice(eq + 1)] : [w, words[i + 1]];
    if (flag === '--loader' || flag === '--experimental-loader') return true;
    return TAKES_MODULE.has(flag) && value !== undefined && /^(?:\.{1,2}[\\/]|[\\/]|file:|[A-Za-z]:[\\/])/.test(value);
  });
}

/** A file node can run only with type stripping or a loader. */
export function isTypeScriptFile(file: string): boolean {
  return /\.(?:[cm]?ts|tsx)$/i.test(file);
}

/**
 * Does this loader write a module's code on one line (esbuild with minified whitespace)? Then V8
 * LiveEdit cannot patch it (./liveedit-limit.ts) and `--engine auto` takes the swap engine.
 */
export function writesOneLine(loader: string): boolean {
  return /^(?:tsx|esbuild-register|@esbuild-kit)(?:\/|$)/.test(loader);
}
