// The registry owns what V8 runs for each script: asked of V8 once, replaced by what a patch sent.
// And the swap engine's compiled code: scripts that carry a file's sourceURL but are swapped-in
// functions are known by id (to show frames in them) and never taken for the file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Protocol } from 'devtools-protocol';
import { fileOfUrl, IDLE_URL, ScriptRegistry } from '../../src/session/registry';
import { DATA_URL } from '../../src/inject/mark';
import { applyToEachScript, type PatchOutcome } from '../../src/patch/engine';
import { Codes } from '../../src/patch/codes';

const parsed = (scriptId: string, url: string) => ({ scriptId, url, isModule: false, hasSourceURL: false } as unknown as Protocol.Debugger.ScriptParsedEvent);

describe('ScriptRegistry.runningText', () => {
  test('asks V8 once per script, then answers from what it keeps; a patch replaces it', async () => {
    const asked: string[] = [];
    const registry = new ScriptRegistry(async (id) => { asked.push(id); return `text of ${id}`; });
    const record = registry.add(parsed('1', 'file:///nowhere/a.js'))!;
    expect(await registry.runningText('1')).toBe('text of 1');
    expect(await registry.runningText('1')).toBe('text of 1');
    registry.nowRuns(record, 'patched');
    expect(await registry.runningText('1')).toBe('patched');
    expect(asked).toEqual(['1']);
  });

  test("a script that is not a file's (node's own code) is kept too", async () => {
    const asked: string[] = [];
    const registry = new ScriptRegistry(async (id) => { asked.push(id); return 'node code'; });
    expect(registry.add(parsed('7', 'node:internal/timers'))).toBeNull();
    expect(await registry.runningText('7')).toBe('node code');
    expect(await registry.runningText('7')).toBe('node code');
    expect(asked).toEqual(['7']);
  });

  test('a patch that lands while V8 is being asked wins over the older answer', async () => {
    let answer!: (text: string) => void;
    const registry = new ScriptRegistry(() => new Promise((r) => { answer = r; }));
    const record = registry.add(parsed('1', 'file:///nowhere/a.js'))!;
    const pending = registry.runningText('1');
    registry.nowRuns(record, 'patched');
    answer('loaded');
    expect(await pending).toBe('patched');
  });

  test('when V8 cannot say (the script is gone), it rejects, and asks again next time', async () => {
    let fail = true;
    const registry = new ScriptRegistry(async () => { if (fail) throw new Error('No script for id: 1'); return 'back'; });
    registry.add(parsed('1', 'file:///nowhere/a.js'));
    await expect(registry.runningText('1')).rejects.toThrow('No script');
    fail = false;
    expect(await registry.runningText('1')).toBe('back');
  });
});
import { SWAP_MARK } from '../../src/inject/mark';

const parsedSwap = (scriptId: string, url: string, hasSourceURL = false) =>
  ({ scriptId, url, hasSourceURL, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0, executionContextId: 1, hash: '' }) as any;

describe('ScriptRegistry and swapped-in code', () => {
  // a function of line 5 (0-based 4) to 7, compiled as the swap engine pads it: empty lines, the
  // wrapper's line (0-based 3), the function, its sourceURL
  const code = '\n\n\n({"work":\nfunction work(item) {try{\n  return 1;\n}finally{void 0xEC}}})["work"]\n//# sourceURL=/app/job.js';

  test('compiled scripts are known by id, with their code and the text to show, and are not scripts of the file', () => {
    const r = new ScriptRegistry();
    expect(r.add(parsedSwap('1', 'file:///app/job.js'))).not.toBeNull();
    r.expectCompiled('/app/job.js', [{ code }], 'saved text');
    expect(r.add(parsedSwap('2', '/app/job.js', true))).toBeNull();
    const rec = r.byScriptId('2')!;
    expect(rec.compiled).toBe(true);
    expect(rec.runningText).toBe(code + SWAP_MARK);
    expect(rec.shownText).toBe('saved text');
    expect(rec.compiledLines).toEqual({ first: 3, last: 6 });
    expect(r.scriptsOf('/app/job.js').map((x) => x.scriptId)).toEqual(['1']);
  });

  test('compiledAt finds the newest compiled code standing on a line of the file', () => {
    const r = new ScriptRegistry();
    r.expectCompiled('/app/job.js', [{ code }, { code }]);
    r.add(parsedSwap('2', '/app/job.js', true));
    r.add(parsedSwap('3', '/app/job.js', true));
    // no more expected: a later script with that URL is a script of the file again
    r.expectCompiled('/app/job.js', []);
    expect(r.compiledAt('/app/job.js', 5)?.scriptId).toBe('3');
    expect(r.compiledAt('/app/job.js', 3)?.scriptId).toBe('3');
    expect(r.compiledAt('/app/job.js', 1)).toBeNull();
    expect(r.compiledAt('/app/job.js', 7)).toBeNull();
    expect(r.compiledAt('/app/other.js', 5)).toBeNull();
  });
});

describe('ScriptRegistry and the no-op that stops an idle program', () => {
  test('its scripts are known by id, and are no file', () => {
    const r = new ScriptRegistry();
    expect(r.add(parsed('31', IDLE_URL))).toBeNull();
    expect(r.add(parsed('32', ''))).toBeNull();
    expect(r.isIdle('31')).toBe(true);
    expect(r.isIdle('32')).toBe(false);
    expect(r.byScriptId('31')).toBeUndefined();
  });
});

describe('ScriptRegistry: the URLs of scripts that are no file of the program', () => {
  test("node's own and a vm script's are kept by id; a file's, no URL, the idle no-op's are not", () => {
    const r = new ScriptRegistry();
    r.add(parsed('1', 'node:internal/timers'));
    r.add(parsed('2', 'gen.vm'));
    r.add(parsed('3', ''));
    r.add(parsed('4', IDLE_URL));
    r.add(parsed('5', 'file:///app/job.js'));
    expect(r.otherUrl('1')).toBe('node:internal/timers');
    expect(r.otherUrl('2')).toBe('gen.vm');
    for (const id of ['3', '4', '5', '6']) expect(r.otherUrl(id)).toBeNull();
  });

  test('scripts announced before the session listened: their URLs only, never records of files', () => {
    const r = new ScriptRegistry();
    r.add(parsed('5', 'file:///app/job.js'));
    r.knowUrls([parsed('1', 'node:internal/main/run_main_module'), parsed('9', 'file:///pkg/dist/inject/preload.js'), parsed('5', 'file:///app/job.js'), parsed('3', '')]);
    expect(r.otherUrl('1')).toBe('node:internal/main/run_main_module');
    expect(r.otherUrl('9')).toBe('file:///pkg/dist/inject/preload.js');
    expect(r.byScriptId('9')).toBeUndefined();
    expect(r.otherUrl('5')).toBeNull(); // the session's own record
    expect(r.otherUrl('3')).toBeNull();
  });
});

describe('fileOfUrl: the real file of a script, links resolved', () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-real-')));
  fs.mkdirSync(path.join(root, 'real'));
  fs.writeFileSync(path.join(root, 'real', 'a.js'), '');
  fs.writeFileSync(path.join(root, 'real', 'target.js'), '');
  fs.symlinkSync(path.join(root, 'real'), path.join(root, 'linked'));
  fs.symlinkSync(path.join(root, 'real', 'target.js'), path.join(root, 'real', 'link.js'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a file in a folder reached through a link (a workspace package under node_modules, with --preserve-symlinks)', () => {
    expect(fileOfUrl(pathToFileURL(path.join(root, 'linked', 'a.js')).href)).toBe(path.join(root, 'real', 'a.js'));
    // the folder's real path is kept: asked again, the same answer
    expect(fileOfUrl(pathToFileURL(path.join(root, 'linked', 'a.js')).href)).toBe(path.join(root, 'real', 'a.js'));
  });

  test('a file that is itself a link, directly and through a linked folder', () => {
    expect(fileOfUrl(pathToFileURL(path.join(root, 'real', 'link.js')).href)).toBe(path.join(root, 'real', 'target.js'));
    expect(fileOfUrl(pathToFileURL(path.join(root, 'linked', 'link.js')).href)).toBe(path.join(root, 'real', 'target.js'));
  });

  test('a plain file, a plain path (node 22 names .ts scripts so), a missing file, and what is no file', () => {
    expect(fileOfUrl(pathToFileURL(path.join(root, 'real', 'a.js')).href)).toBe(path.join(root, 'real', 'a.js'));
    expect(fileOfUrl(path.join(root, 'linked', 'a.js'))).toBe(path.join(root, 'real', 'a.js'));
    expect(fileOfUrl(pathToFileURL(path.join(root, 'linked', 'gone.js')).href)).toBe(path.join(root, 'linked', 'gone.js'));
    expect(fileOfUrl('node:internal/timers')).toBeNull();
    expect(fileOfUrl('')).toBeNull();
  });
});

describe('ScriptRegistry: JSON modules the program loaded (src/inject/hooks.ts dataLoaded)', () => {
  const parsed = (url: string) => ({ scriptId: '77', url, startLine: 0, startColumn: 0, endLine: 0, endColumn: 0, executionContextId: 1, hash: '' }) as Protocol.Debugger.ScriptParsedEvent;

  test('the empty script named after one: no script of the file, told once; its first save that changed it says so, later ones and the file as loaded do not', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-data-')));
    const file = path.join(dir, 'conf.json');
    fs.writeFileSync(file, '{ "rate": 2 }\n');
    const st = fs.statSync(file);
    const r = new ScriptRegistry();
    const told: string[] = [];
    r.onData((f) => told.push(f));
    expect(r.add(parsed(`${DATA_URL}${st.mtimeMs}:${st.size}:${file}`))).toBeNull();
    expect(r.add(parsed(`${DATA_URL}${st.mtimeMs}:${st.size}:${file}`))).toBeNull();
    expect(told).toEqual([file]);
    expect(r.scriptsOf(file)).toEqual([]);
    // as the program read it (a file written just before the start is checked then): nothing to say
    expect(r.dataSaved(file)).toBe('again');
    fs.writeFileSync(file, '{ "rate": 30 }\n');
    expect(r.dataSaved(file)).toBe('first');
    fs.writeFileSync(file, '{ "rate": 4 }\n');
    expect(r.dataSaved(file)).toBe('again');
    expect(r.dataSaved(path.join(dir, 'other.json'))).toBeNull();
    // a name that is not one (no stamp, a relative path): ignored
    expect(r.add(parsed(`${DATA_URL}${path.join(dir, 'x.json')}`))).toBeNull();
    expect(r.add(parsed(`${DATA_URL}1:2:x.json`))).toBeNull();
    expect(told).toEqual([file]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('both engines: a save of such a file is EC106 at first, then unchanged; a file of no script and no data is not loaded', async () => {
    const never = async (): Promise<PatchOutcome> => { throw new Error('no script to apply to'); };
    expect(await applyToEachScript([], never, 'first')).toEqual({ status: 'not-patched', reasons: [expect.objectContaining({ code: Codes.DataFile })] });
    expect(await applyToEachScript([], never, 'again')).toEqual({ status: 'unchanged' });
    expect(await applyToEachScript([], never)).toEqual({ status: 'not-loaded' });
  });
});
