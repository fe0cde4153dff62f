// The registry owns what V8 runs for each script: asked of V8 once, replaced by what a patch sent.
import type { Protocol } from 'devtools-protocol';
import { ScriptRegistry } from '../../src/session/registry';

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
