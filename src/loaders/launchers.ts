// Launchers that start node themselves (`tsx src/index.ts`, `ts-node src/index.ts`) would put the
// user's code in a second node process, out of edit-continue's reach. Their loader can run in the node
// edit-continue starts instead: `tsx FILE` is `node --import tsx FILE`, `ts-node FILE` is
// `node -r ts-node/register FILE`. Pure, given how a path resolves (launcherLoader, the one impure
// part, asks node's resolver).
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TargetCommand } from '../launch/command';

interface Launcher { name: string; flags: string[]; bins: RegExp }

const LAUNCHERS: Launcher[] = [
  { name: 'tsx', flags: ['--import', 'tsx'], bins: /[\\/]node_modules[\\/]tsx[\\/]dist[\\/]cli\.m?js$/ },
  { name: 'ts-node', flags: ['-r', 'ts-node/register'], bins: /[\\/]node_modules[\\/]ts-node[\\/]dist[\\/]bin\.js$/ },
  { name: 'ts-node-transpile-only', flags: ['-r', 'ts-node/register/transpile-only'], bins: /[\\/]node_modules[\\/]ts-node[\\/]dist[\\/]bin-transpile\.js$/ },
];

export type LauncherResult =
  | { kind: 'none' }
  | { kind: 'rewritten'; command: TargetCommand; note: string }
  | { kind: 'refused'; message: string };

/**
 * `command` runs a launcher (its bin file, as `resolved` says, or its bare name when no such file is
 * there): the same program with the launcher's loader in this node, or why not. `loader` says how
 * node is to be given the loader's module (default: its name, which node resolves from the program's
 * folder; launcherLoader gives the launcher's own copy when that folder has none, as with a global
 * install).
 */
export function throughLauncher(command: TargetCommand, resolved: string | null, loader: (spec: string, launcherFile: string | null) => string = (spec) => spec): LauncherResult {
  const bare = resolved === null ? path.basename(command.script) : null;
  const found = LAUNCHERS.find((l) => (resolved !== null ? l.bins.test(resolved) : bare === l.name));
  if (!found) return { kind: 'none' };
  const launcher = { ...found, flags: [found.flags[0], loader(found.flags[1], resolved)] };
  if (launcher.name === 'tsx' && command.scriptArgs[0] === 'watch') {
    const target = command.scriptArgs.slice(1).find((a) => !a.startsWith('-')) ?? 'src/index.ts';
    return { kind: 'refused', message: `tsx watch restarts the program on a save, which is what edit-continue avoids: run ${`edit-continue node ${launcher.flags.join(' ')} ${target}`}` };
  }
  const [file, ...rest] = command.scriptArgs;
  const works = `edit-continue node ${launcher.flags.join(' ')} ${file && !file.startsWith('-') ? file : 'src/index.ts'}`;
  if (!file || file.startsWith('-')) {
    return { kind: 'refused', message: `${launcher.name} would start a second node to run your code, out of reach; run its loader in node instead: ${works}` };
  }
  return {
    kind: 'rewritten',
    command: { ...command, nodeArgs: [...command.nodeArgs, ...launcher.flags], script: file, scriptArgs: rest },
    note: `${launcher.name} starts a second node for your code: running its loader in this one instead (${works})`,
  };
}

/**
 * The launcher's loader as node is to be given it (`spec`: `tsx`, `ts-node/register`): its name when
 * the program's folder resolves it (its own install), else the file of the launcher that runs
 * (`launcherFile`, or the launcher found on PATH): a global `npm i -g tsx` has no copy in the
 * program's folder, and `--import tsx` would fail there with ERR_MODULE_NOT_FOUND.
 */
export function launcherLoader(spec: string, launcherFile: string | null, cwd: string, onPath: () => string | null): string {
  try { require.resolve(spec, { paths: [cwd] }); return spec; } catch { /* not the program's own */ }
  const file = launcherFile ?? onPath();
  const root = file ? /^(.*[\\/]node_modules[\\/](?:tsx|ts-node))[\\/]/.exec(file)?.[1] : undefined;
  if (!root) return spec;
  let resolved: string;
  try { resolved = require.resolve(spec, { paths: [root] }); } catch { return spec; }
  return spec === 'tsx' ? pathToFileURL(resolved).href : resolved;
}
