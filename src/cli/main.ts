// The entry point, and the only place that exits.
import { parseArgs } from './args';
import { runApp, runAttach } from '../app';
import { UserError } from '../util/errors';

function onSignal(signal: NodeJS.Signals, handler: () => void): () => void {
  process.on(signal, handler);
  return () => process.removeListener(signal, handler);
}

export async function main(argv = process.argv.slice(2)): Promise<never> {
  const request = await parseArgs(argv, process.execPath);
  switch (request.kind) {
    case 'help':
      process.stdout.write(request.text + '\n');
      return exit(0);
    case 'version':
      process.stdout.write(require('../../package.json').version + '\n');
      return exit(0);
    case 'error':
      process.stderr.write(`edit-continue: ${request.message}\nRun 'edit-continue --help' for usage.\n`);
      return exit(2);
    case 'run':
    case 'attach':
      break;
  }
  try {
    const io = { cwd: process.cwd(), env: process.env, stdin: process.stdin, stderr: process.stderr, onSignal };
    const code = request.kind === 'attach' ? await runAttach(request, io) : await runApp(request, io);
    return exit(code);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`edit-continue: ${err.message}\n`);
      return exit(err.exitCode);
    }
    process.stderr.write(`edit-continue: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return exit(70);
  }
}

function exit(code: number): never {
  // Let stdout/stderr drain before leaving.
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return undefined as never;
}
