// The README's API example is code a user copies: it must type-check against the package's types
// (src/index.ts, what dist/index.d.ts is built from), with the TypeScript compiler's own API.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');

/** The ```js block of the README's "## API" section. */
function apiExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('API\n'));
  const block = section && /```js\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README.md has no ```js block under '## API'");
  return block[1];
}

/** Type errors of a snippet that uses the package the way the README does (require in CommonJS, top-level await). */
function typeErrors(snippet: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-readme-'));
  const file = path.join(dir, 'example.cts');
  const index = path.join(ROOT, 'src', 'index');
  // `require('edit-continue')` is the package; await needs a function around a CommonJS file
  const body = snippet.replace(/require\('edit-continue'\)/g, `require(${JSON.stringify(index)}) as typeof import(${JSON.stringify(index)})`);
  fs.writeFileSync(file, `export async function example(): Promise<void> {\n${body}\n}\n`);
  try {
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16,
      strict: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      noUnusedLocals: false,
    });
    return ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file || !d.file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the README's API example", () => {
  test('type-checks against the package types', () => {
    expect(typeErrors(apiExample())).toEqual([]);
  }, 60000);

  test('the check can fail: a wrong event payload is a type error', () => {
    const wrong = apiExample().replace("e.functions.map((f) => f.name)", 'e.functions.nope');
    expect(wrong).not.toBe(apiExample());
    expect(typeErrors(wrong).join('\n')).toMatch(/nope/);
  }, 60000);
});
