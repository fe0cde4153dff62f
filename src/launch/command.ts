// Pure: split `[node] [node flags] script [args]` into its parts, or say what is wrong with it.
import * as path from 'node:path';

export interface TargetCommand {
  /** The node executable as given (resolved later), or the node running edit-continue. */
  node: string;
  nodeArgs: string[];
  script: string;
  scriptArgs: string[];
}

export type CommandResult = { ok: true; command: TargetCommand } | { ok: false; error: string };

/**
 * Node flags whose value may come as the next word: every option `node --help` shows with `=...` on
 * Node 20, 22, 24 and 26, and the loader flags it names otherwise. (V8's own flags take a value only
 * after `=`.)
 */
const VALUE_FLAGS = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type',
  '--env-file', '--env-file-if-exists', '--experimental-config-file', '--experimental-default-type',
  '--experimental-package-map', '--experimental-policy', '--policy-integrity', '--title', '--stack-trace-limit',
  '--cpu-prof-dir', '--cpu-prof-interval', '--cpu-prof-name', '--heap-prof-dir', '--heap-prof-interval',
  '--heap-prof-name', '--heapsnapshot-near-heap-limit', '--heapsnapshot-signal', '--diagnostic-dir',
  '--report-dir', '--report-filename', '--report-signal', '--redirect-warnings', '--disable-warning',
  '--unhandled-rejections', '--dns-result-order', '--network-family-autoselection-attempt-timeout',
  '--max-http-header-size', '--max-old-space-size-percentage', '--disable-proto', '--allow-fs-read',
  '--allow-fs-write', '--icu-data-dir', '--openssl-config', '--tls-cipher-list', '--tls-keylog',
  '--secure-heap', '--secure-heap-min', '--trace-event-categories', '--trace-event-file-pattern',
  '--trace-require-module', '--use-largepages', '--v8-pool-size', '--localstorage-file', '--snapshot-blob',
  '--build-snapshot-config', '--watch-path', '--watch-kill-signal', '--vfs-load', '--vfs-mount', '--process-timeout',
]);

/** Flags that make node run something other than a script file, or that would fight our inspector. */
const REFUSED: [RegExp, string][] = [
  [/^(-e|--eval|-p|--print)(=|$)|^-[a-zA-Z]*[ep][a-zA-Z]*$/, 'edit-continue patches code from files: put the code in a file and run that'],
  [/^--(inspect|inspect-brk|inspect-wait|debug|debug-brk)(=|$)/, 'edit-continue starts the inspector itself: remove'],
  [/^--(inspect-port|debug-port)(=|$)/, 'edit-continue chooses the inspector port itself: remove'],
  [/^--inspect-publish-uid(=|$)/, 'edit-continue sets this itself: remove'],
  [/^--watch(=|$)|^--watch-path(=|$)/, "node's --watch restarts the program, which is what edit-continue avoids: remove"],
  [/^(-i|--interactive)$/, 'edit-continue needs a script file; the REPL is not supported'],
  [/^--test$/, 'run the test runner without edit-continue'],
  [/^--run(=|$)/, "node --run starts a package.json script in a shell of its own: put that script's node command after edit-continue"],
];

/** For the test that compares it with each node's `--help`. */
export const NODE_VALUE_FLAGS: ReadonlySet<string> = VALUE_FLAGS;

export function isNodeExecutable(word: string): boolean {
  const base = path.basename(word).toLowerCase();
  return /^node(js)?(\d+(\.\d+)*)?(\.exe)?$/.test(base);
}

export function splitCommand(words: string[], execPath: string): CommandResult {
  if (words.length === 0) return { ok: false, error: 'no script given. Usage: edit-continue [options] [node] [node options] script.js [args]' };
  let i = 0;
  let node = execPath;
  if (isNodeExecutable(words[0])) {
    node = words[0];
    i = 1;
  }
  const nodeArgs: string[] = [];
  for (; i < words.length; i++) {
    const w = words[i];
    if (w === '--') { i++; break; }
    if (!w.startsWith('-') || w === '-') break;
    for (const [re, why] of REFUSED) {
      if (re.test(w)) return { ok: false, error: `${why}: ${w}` };
    }
    nodeArgs.push(w);
    if (VALUE_FLAGS.has(w)) {
      if (i + 1 >= words.length) return { ok: false, error: `node option ${w} needs a value` };
      nodeArgs.push(words[++i]);
    }
  }
  if (i >= words.length) return { ok: false, error: 'no script given. Usage: edit-continue [options] [node] [node options] script.js [args]' };
  const script = words[i];
  if (script === '-') return { ok: false, error: 'edit-continue patches code from files: a script from stdin cannot be watched' };
  return { ok: true, command: { node, nodeArgs, script, scriptArgs: words.slice(i + 1) } };
}
