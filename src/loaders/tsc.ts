// A saved .ts file made into the .js text `tsc` wrote for it, with the project's own tsconfig and the
// project's own `typescript` package (required from the .ts file's folder, not shipped with
// edit-continue): `transpileModule`, one file at a time, which for the code tsc accepts under
// `isolatedModules` is what tsc emits (checked against tsc's output in test/e2e/typescript.test.ts).
// Types are not checked: a save with a type error is patched, as `tsc` would still emit it.
import * as path from 'node:path';
import { createRequire } from 'node:module';

type TS = typeof import('typescript');

const configs = new Map<string, { options: import('typescript').CompilerOptions } | { error: string }>();

function typescriptFor(file: string): TS | null {
  try {
    return createRequire(file)('typescript') as TS;
  } catch {
    return null;
  }
}

function optionsFor(ts: TS, file: string): { options: import('typescript').CompilerOptions } | { error: string } {
  const dir = path.dirname(file);
  const known = configs.get(dir);
  if (known) return known;
  let result: { options: import('typescript').CompilerOptions } | { error: string };
  const configPath = ts.findConfigFile(dir, ts.sys.fileExists);
  if (!configPath) {
    result = { error: `no tsconfig.json above ${dir}: cannot tell how tsc compiled it` };
  } else {
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    if (read.error) result = { error: `${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}` };
    else result = { options: ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath).options };
  }
  configs.set(dir, result);
  return result;
}

export type TscResult = { ok: true; text: string } | { ok: false; message: string };

/** The .js tsc would write for this .ts text. */
export function transpileLikeTsc(tsFile: string, text: string): TscResult {
  const ts = typescriptFor(tsFile);
  if (!ts) return { ok: false, message: `the project has no typescript package to compile ${path.basename(tsFile)} with (npm i -D typescript)` };
  const config = optionsFor(ts, tsFile);
  if ('error' in config) return { ok: false, message: config.error };
  const out = ts.transpileModule(text, { compilerOptions: config.options, fileName: tsFile, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const d = errors[0];
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    return { ok: false, message: `${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${where ? ` (${where.line + 1}:${where.character + 1})` : ''}` };
  }
  return { ok: true, text: out.outputText };
}
