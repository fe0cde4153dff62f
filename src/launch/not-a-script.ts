// Pure: what to say when the word where the script goes is no file but a command a user would type
// before a program (`edit-continue npm run dev`, `nodemon app.js`, `npx tsx src/index.ts`). Each of
// those starts node itself, in a process of its own: edit-continue would attach to the tool, not to
// the program. The answer says what runs instead, with a command that works. (`tsx FILE` and
// `ts-node FILE` need no answer: ../loaders/launchers.ts runs their loader in node.)
import * as path from 'node:path';

/** What the message needs to know about the machine: given, so that this stays pure. */
export interface Surroundings {
  cwd: string;
  /** The package.json of the folder the command runs in, parsed (null: none or unreadable). */
  packageJson: { scripts?: Record<string, unknown> } | null;
  /** Where this command is on PATH, its link followed (null: not there). */
  onPath(name: string): string | null;
}

const PACKAGE_MANAGERS = new Set(['npm', 'yarn', 'pnpm', 'bun']);
/** Tools that run the program again on every save: what edit-continue is there to avoid. */
const RESTARTERS = new Set(['nodemon', 'node-dev', 'ts-node-dev', 'tsnd', 'supervisor', 'forever', 'pm2']);
/** The words a package manager's own commands take before a script's name. */
const RUN_WORDS = new Set(['run', 'run-script']);
/** A command found on PATH that is a node program (a script file node runs, not a native binary). */
const nodeProgram = (bin: string | null): bin is string => bin !== null && /\.[cm]?js$/.test(bin);

/** `node x.js`, `tsx x.ts`, `ts-node x.ts` in a package script: the edit-continue command that runs the same program, or null. */
export function editContinueFor(scriptCommand: string): string | null {
  const words = scriptCommand.trim().split(/\s+/);
  // leading VAR=value assignments stay in front
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
  const env = words.slice(0, i);
  const [tool, ...rest] = words.slice(i);
  // a chain (`tsc && node dist/app.js`) or a pipe: the last node command is the program, but the rest must run first
  if (!tool || rest.some((w) => /^(&&|\|\||;|\|)$/.test(w))) return null;
  let cmd: string | null = null;
  if (tool === 'node') cmd = ['node', ...rest].join(' ');
  else if (tool === 'tsx' && rest[0] !== 'watch') cmd = ['node', '--import', 'tsx', ...rest].join(' ');
  else if (tool === 'ts-node') cmd = ['node', '-r', 'ts-node/register', ...rest].join(' ');
  if (!cmd || /(^|\s)--watch(\s|=|$)/.test(cmd)) return null;
  return [...env, 'edit-continue', cmd].join(' ');
}

/** The message for a script word that is no file (null: nothing better to say than "cannot find"). */
export function notAScriptMessage(script: string, args: string[], s: Surroundings): string | null {
  const name = path.basename(script);
  if (script !== name) return null; // a path: it is simply not there
  if (RESTARTERS.has(name)) {
    const file = args.find((a) => /\.[cm]?[jt]sx?$/.test(a)) ?? args.find((a) => !a.startsWith('-'));
    return `${name} runs the program again on every save, which is what edit-continue avoids: run the program itself, edit-continue ${file ? `node ${file}` : 'node app.js'}, and saves patch it as it runs`;
  }
  if (PACKAGE_MANAGERS.has(name)) {
    const at = RUN_WORDS.has(args[0] ?? '') ? 1 : 0;
    const scriptName = args[at];
    const body = scriptName ? s.packageJson?.scripts?.[scriptName] : undefined;
    const direct = typeof body === 'string' ? editContinueFor(body) : null;
    const said = typeof body === 'string' ? ` (package.json's "${scriptName}" runs \`${body}\`)` : '';
    const bin = s.onPath(name);
    const keep = nodeProgram(bin) ? ` Or keep ${name} and reach the node it starts: ${['edit-continue --spawned node', bin, ...args].join(' ')}` : '';
    return `${name} starts your program in a node of its own, out of edit-continue's reach${said}: run ${direct ?? 'the program with node under edit-continue (edit-continue node app.js)'}.${keep}`;
  }
  if (name === 'npx' || name === 'pnpx' || name === 'bunx') {
    const [tool, ...rest] = args;
    if (tool === 'tsx' || tool === 'ts-node') return `${name} starts ${tool} in a node of its own: run ${tool} itself, edit-continue ${tool} ${rest.join(' ')}`.trimEnd();
    const bin = tool ? path.join('node_modules', '.bin', tool) : null;
    return `${name} starts ${tool ?? 'the tool'} in a node of its own, out of edit-continue's reach: ${bin ? `run its script, edit-continue ${[bin, ...rest].join(' ')}` : 'run the program with node under edit-continue'}`;
  }
  const bin = s.onPath(name);
  if (nodeProgram(bin)) {
    return `'${name}' is a command, not a script file here; it is a node program at ${bin}: edit-continue node ${[bin, ...args].join(' ')} runs it (its own code under node_modules is not watched)`;
  }
  return null;
}
