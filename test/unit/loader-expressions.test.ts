// The expressions src/loaders/transform.ts has the program evaluate to ask its loader, evaluated here
// in this process as the program would: they parse; they answer at once from the event loop, or
// through the pending map (pendingExpression takes the answer once) for a loader that answers later;
// and from inside a function that makes a synchronous request of another thread (node's loader hooks
// proxy, esbuild's sync API) they run nothing and say the program is busy.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOADER_LOOK_AGAIN_MS, loaderTransform, loaderTransformExpression, moduleTransformExpression, pendingExpression } from '../../src/loaders/transform';
import type { Connection } from '../../src/cdp/connection';

const evaluate = (expression: string): any => (0, eval)(expression);

/** As node's HooksProxy: the expression evaluated in an interrupt on top of a synchronous request. */
function makeSyncRequest(expression: string): any {
  return evaluate(expression);
}
function runCallSync(expression: string): any {
  return evaluate(expression);
}

let dir: string;
const EXT = '.ectest';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-loader-expr-'));
  // a require hook for EXT files that "compiles" by upper-casing what it reads
  (require('node:module') as { _extensions: Record<string, unknown> })._extensions[EXT] = (m: { _compile(code: string, file: string): void }, file: string) => {
    m._compile(fs.readFileSync(file, 'utf8').toUpperCase(), file);
  };
});
afterAll(() => {
  delete (require('node:module') as { _extensions: Record<string, unknown> })._extensions[EXT];
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for src/inject/compile-hooks.ts: compileModule answers the file's text reversed, at once or later. */
function hooksFile(later: boolean): string {
  const file = path.join(dir, `hooks-${later ? 'later' : 'now'}.cjs`);
  const answer = `({ ok: true, text: require('node:fs').readFileSync(file, 'utf8').split('').reverse().join('') })`;
  fs.writeFileSync(file, `exports.compileModule = (file) => ${later ? `new Promise((r) => setTimeout(() => r(${answer}), 5))` : answer};\n`);
  return file;
}

async function takeLater(id: number): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const r = evaluate(pendingExpression(id));
    if (r.done) return r.value;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no answer for ${id}`);
}

describe('a require hook asked for a save', () => {
  const file = () => path.join(dir, `a${EXT}`);

  test('from the event loop: the hook runs on the saved text (not the file on disk) and answers at once', () => {
    fs.writeFileSync(file(), 'on disk');
    expect(evaluate(loaderTransformExpression(file(), 'saved text'))).toEqual({ ok: true, text: 'SAVED TEXT' });
  });

  /** Run `fn` with a require hook for `ext` that notes whether it ran; `fn` gets the file to ask for. */
  function withSpyHook(ext: string, fn: (file: string, ran: () => boolean) => void): void {
    let ran = false;
    const exts = (require('node:module') as { _extensions: Record<string, unknown> })._extensions;
    exts[ext] = (m: { _compile(code: string, file: string): void }, f: string) => { ran = true; m._compile('x', f); };
    try { fn(path.join(dir, `b${ext}`), () => ran); } finally { delete exts[ext]; }
  }

  test("inside a synchronous request (esbuild's runCallSync): busy, the hook not run", () => {
    withSpyHook('.ecspy', (file, ran) => {
      expect(runCallSync(loaderTransformExpression(file, 'text'))).toEqual({ busy: true });
      expect(ran()).toBe(false);
      expect(evaluate(loaderTransformExpression(file, 'text'))).toEqual({ ok: true, text: 'x' });
      expect(ran()).toBe(true);
    });
  });

  // (a real match never ends here to be interrupted: test/e2e/connection.test.ts; a builtin that runs
  // one, on the stack below the expression, is what the check reads)
  test('below a builtin that runs a regular expression (node 20 and 22 end the program for one inside a match): busy, the hook not run', () => {
    withSpyHook('.ecspy2', (file, ran) => {
      let answer: unknown;
      'x'.replace(/x/, () => { answer = evaluate(loaderTransformExpression(file, 'text')); return ''; });
      expect(answer).toEqual({ busy: true });
      expect(ran()).toBe(false);
    });
  });

  test('no hook for the extension: says so', () => {
    expect(evaluate(loaderTransformExpression(path.join(dir, 'a.nohook'), 'x'))).toEqual({ ok: false, message: expect.stringMatching(/no require hook for \.nohook files/) });
  });
});

describe("an ES module loader's hooks asked for a save", () => {
  const file = () => path.join(dir, 'm.ts');

  test('from the event loop, a loader that answers at once: answered at once, checked against the file', () => {
    fs.writeFileSync(file(), 'abc');
    expect(evaluate(moduleTransformExpression(file(), 'abc', hooksFile(false)))).toEqual({ ok: true, text: 'cba' });
    // the file on disk is newer than the save asked for: a newer save follows
    expect(evaluate(moduleTransformExpression(file(), 'older', hooksFile(false)))).toEqual({ ok: false, code: 'stale', message: expect.stringMatching(/changed again/) });
  });

  test('a loader that answers later: the answer through the pending map', async () => {
    fs.writeFileSync(file(), 'later');
    const r = evaluate(moduleTransformExpression(file(), 'later', hooksFile(true)));
    expect(r).toEqual({ pending: expect.any(Number) });
    expect(evaluate(pendingExpression(r.pending))).toEqual({ done: false });
    await expect(takeLater(r.pending)).resolves.toEqual({ ok: true, text: 'retal' });
    expect(evaluate(pendingExpression(r.pending))).toEqual({ done: true, value: { ok: false, message: expect.stringMatching(/lost/) } });
  });

  test("inside node's hooks proxy (makeSyncRequest): busy, the loader not asked", () => {
    fs.writeFileSync(file(), 'xyz');
    const hooks = path.join(dir, 'hooks-spy.cjs');
    fs.writeFileSync(hooks, `exports.compileModule = (file) => { globalThis.__ecSpyRan = true; return { ok: true, text: 'spied' }; };\n`);
    const g = globalThis as Record<string, unknown>;
    g.__ecSpyRan = false;
    expect(makeSyncRequest(moduleTransformExpression(file(), 'xyz', hooks))).toEqual({ busy: true });
    expect(g.__ecSpyRan).toBe(false);
    expect(evaluate(moduleTransformExpression(file(), 'xyz', hooks))).toEqual({ ok: true, text: 'spied' });
    expect(g.__ecSpyRan).toBe(true);
  });

  test('a taken answer is gone; an id never given is answered as lost', () => {
    expect(evaluate(pendingExpression(987654))).toEqual({ done: true, value: { ok: false, message: expect.stringMatching(/lost/) } });
  });

  test('a loader that throws: its message', () => {
    const hooks = path.join(dir, 'hooks-throw.cjs');
    fs.writeFileSync(hooks, `exports.compileModule = () => { throw new Error('Unexpected token (3:4)'); };\n`);
    expect(evaluate(moduleTransformExpression(file(), 'x', hooks))).toEqual({ ok: false, message: 'Unexpected token (3:4)' });
  });
});

describe('loaderTransform asking again while the loader has not answered (the edit waits, EC307)', () => {
  // the connection runs each expression here, as the program would (the expressions are the real ones)
  const here = {
    Runtime: {
      evaluate: async ({ expression }: { expression: string }) => {
        try {
          const value = evaluate(expression);
          return { result: { type: typeof value, value } };
        } catch (e) {
          return { result: { type: 'undefined' }, exceptionDetails: { text: String(e) } };
        }
      },
    },
  } as unknown as Connection;
  const g = globalThis as { ecTestCompiles?: number };

  /** A stand-in for compile-hooks.ts whose answer comes `ms` after it is asked, counting the asks. */
  function slowHooks(ms: number): string {
    const file = path.join(dir, `hooks-slow-${ms}.cjs`);
    fs.writeFileSync(file, `exports.compileModule = (file) => { globalThis.ecTestCompiles = (globalThis.ecTestCompiles || 0) + 1; const text = require('node:fs').readFileSync(file, 'utf8'); return new Promise((r) => setTimeout(() => r({ ok: true, text: text.toUpperCase() }), ${ms})); };\n`);
    return file;
  }

  test('a late answer is taken by the next ask of the same text, without a second compile; another text is compiled afresh', async () => {
    const file = path.join(dir, 'late.ts');
    const hooks = slowHooks(LOADER_LOOK_AGAIN_MS + 150);
    g.ecTestCompiles = 0;
    fs.writeFileSync(file, 'first');
    const late = await loaderTransform(here, file, 'first', { savedText: 'first', hooks }, { again: true });
    expect(late).toEqual({ ok: false, code: 'late', message: expect.stringMatching(/has not answered yet.*will apply when it answers/) });
    expect(g.ecTestCompiles).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(loaderTransform(here, file, 'first', { savedText: 'first', hooks }, { again: true })).resolves.toEqual({ ok: true, text: 'FIRST' });
    expect(g.ecTestCompiles).toBe(1);

    // a newer save while one is late: the late one is dropped, the newer one compiled
    const late2 = await loaderTransform(here, file, 'second', { savedText: 'second', hooks: slowHooks(LOADER_LOOK_AGAIN_MS + 400) }, { again: true });
    expect(late2).toMatchObject({ ok: false, code: 'late' });
    fs.writeFileSync(file, 'third');
    await expect(loaderTransform(here, file, 'third', { savedText: 'third', hooks }, { again: true })).resolves.toMatchObject({ ok: false, code: 'late' });
    expect(g.ecTestCompiles).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(loaderTransform(here, file, 'third', { savedText: 'third', hooks }, { again: true })).resolves.toEqual({ ok: true, text: 'THIRD' });
    expect(g.ecTestCompiles).toBe(3);
    const left = (globalThis as Record<symbol, Map<number, unknown> | undefined>)[Symbol.for('edit-continue.compiling.pending')];
    expect([...(left?.keys() ?? [])]).toEqual([]); // the dropped one's entry was forgotten, the taken ones are gone
  });
});
