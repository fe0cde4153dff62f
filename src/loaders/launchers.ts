// Launchers that start node themselves (`tsx src/index.ts`, `ts-node src/index.ts`) would put the
// user's code in a second node process, out of edit-continue's reach. Their loader can run in the node
// edit-continue starts instead: `tsx FILE` is `node --import tsx FILE`, `ts-node FILE` is
// `node -r ts-node/register FILE`. Pure, given how a path resolves.
import * as path from 'node:path';
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
 * there): the same program with the launcher's loader in this node, or why not.
 */
export function throughLauncher(command: TargetCommand, resolved: string | null): LauncherResult {
  const bare = resolved === null ? path.basename(command.script) : null;
  const launcher = LAUNCHERS.find((l) => (resolved !== null ? l.bins.test(resolved) : bare === l.name));
  if (!launcher) return { kind: 'none' };
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
