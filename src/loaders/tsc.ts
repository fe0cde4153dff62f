// A saved .ts file made into the .js text `tsc` wrote for it, with the project's own tsconfig and the
// project's own `typescript` package (required from the .ts file's folder, not shipped with
// edit-continue) and the tsconfig that writes to where the running .js is: `transpileModule`, one file at a time, which for the code tsc accepts under
// `isolatedModules` is what tsc emits (checked against tsc's output in test/e2e/typescript.test.ts).
// Types are not checked: a save with a type error is patched, as `tsc` would still emit it.
import * as fs from 'node:fs';
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

/**
 * The options tsc compiled `tsFile` with: of the tsconfig*.json files in its folder and above, the first
 * whose output folder holds `jsFile` (a project's tsconfig.build.json beside its tsconfig.json), else
 * the nearest tsconfig.json.
 */
function optionsFor(ts: TS, tsFile: string, jsFile: string): { options: import('typescript').CompilerOptions } | { error: string } {
  const key = `${tsFile}\0${jsFile}`;
  const known = configs.get(key);
  if (known) return known;
  let fallback: { options: import('typescript').CompilerOptions } | { error: string } | null = null;
  let found: { options: import('typescript').CompilerOptions } | null = null;
  for (let dir = path.dirname(tsFile); !found; dir = path.dirname(dir)) {
    let names: string[] = [];
    try { names = fs.readdirSync(dir).filter((n) => /^tsconfig(\..+)?\.json$/.test(n)).sort(); } catch { /* unreadable folder */ }
    for (const name of names) {
      const parsed = parseConfig(ts, path.join(dir, name));
      if ('error' in parsed) { if (name === 'tsconfig.json') fallback ??= parsed; continue; }
      if (name === 'tsconfig.json') fallback ??= parsed;
      const out = parsed.options.outDir ? path.resolve(parsed.options.outDir) : path.dirname(tsFile);
      if (jsFile.startsWith(out + path.sep)) { found = parsed; break; }
    }
    if (path.dirname(dir) === dir) break;
  }
  const result = found ?? fallback ?? { error: `no tsconfig.json above ${path.dirname(tsFile)}: cannot tell how tsc compiled it` };
  configs.set(key, result);
  return result;
}

function parseConfig(ts: TS, configPath: string): { options: import('typescript').CompilerOptions } | { error: string } {
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) return { error: `${configPath}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}` };
  return { options: ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(configPath), undefined, configPath).options };
}

export type TscResult = { ok: true; text: string; map?: string } | { ok: false; message: string };

/** The .js tsc would write for this .ts text. */
export function transpileLikeTsc(tsFile: string, text: string, jsFile: string): TscResult {
  const ts = typescriptFor(tsFile);
  if (!ts) return { ok: false, message: `the project has no typescript package to compile ${path.basename(tsFile)} with (npm i -D typescript)` };
  const config = optionsFor(ts, tsFile, jsFile);
  if ('error' in config) return { ok: false, message: config.error };
  const out = ts.transpileModule(text, { compilerOptions: config.options, fileName: tsFile, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const d = errors[0];
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    return { ok: false, message: `${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${where ? ` (${where.line + 1}:${where.character + 1})` : ''}` };
  }
  return out.sourceMapText ? { ok: true, text: out.outputText, map: out.sourceMapText } : { ok: true, text: out.outputText };
}
