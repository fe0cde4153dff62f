// The script registry and the swap engine's compiled code: scripts that carry a file's sourceURL but
// are swapped-in functions are known by id (to show frames in them) and never taken for the file.
import { ScriptRegistry } from '../../src/session/registry';
import { SWAP_MARK } from '../../src/inject/mark';

const parsed = (scriptId: string, url: string, hasSourceURL = false) =>
  ({ scriptId, url, hasSourceURL, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0, executionContextId: 1, hash: '' }) as any;

describe('ScriptRegistry and swapped-in code', () => {
  // a function of line 5 (0-based 4) to 7, compiled as the swap engine pads it: empty lines, the
  // wrapper's line (0-based 3), the function, its sourceURL
  const code = '\n\n\n({"work":\nfunction work(item) {try{\n  return 1;\n}finally{void 0xEC}}})["work"]\n//# sourceURL=/app/job.js';

  test('compiled scripts are known by id, with their code and the text to show, and are not scripts of the file', () => {
    const r = new ScriptRegistry();
    expect(r.add(parsed('1', 'file:///app/job.js'))).not.toBeNull();
    r.expectCompiled('/app/job.js', [code], 'saved text');
    expect(r.add(parsed('2', '/app/job.js', true))).toBeNull();
    const rec = r.byScriptId('2')!;
    expect(rec.compiled).toBe(true);
    expect(rec.runningText).toBe(code + SWAP_MARK);
    expect(rec.shownText).toBe('saved text');
    expect(rec.compiledLines).toEqual({ first: 3, last: 6 });
    expect(r.scriptsOf('/app/job.js').map((x) => x.scriptId)).toEqual(['1']);
  });

  test('compiledAt finds the newest compiled code standing on a line of the file', () => {
    const r = new ScriptRegistry();
    r.expectCompiled('/app/job.js', [code, code]);
    r.add(parsed('2', '/app/job.js', true));
    r.add(parsed('3', '/app/job.js', true));
    // no more expected: a later script with that URL is a script of the file again
    r.expectCompiled('/app/job.js', []);
    expect(r.compiledAt('/app/job.js', 5)?.scriptId).toBe('3');
    expect(r.compiledAt('/app/job.js', 3)?.scriptId).toBe('3');
    expect(r.compiledAt('/app/job.js', 1)).toBeNull();
    expect(r.compiledAt('/app/job.js', 7)).toBeNull();
    expect(r.compiledAt('/app/other.js', 5)).toBeNull();
  });
});
