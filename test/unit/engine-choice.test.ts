import { decideEngine, requestedEngine, carriesSwap, AUTO_PREFERS, type Capabilities } from '../../src/launch/engine-choice';

const live = { ok: true } as const;
const noLive = { ok: false, message: 'setScriptSource functionality no longer available' } as const;
const caps = (liveEdit: Capabilities['liveEdit'], swap: boolean): Capabilities => ({ liveEdit, swap, swapWhyNot: 'no transform' });

describe('requestedEngine', () => {
  test('the option wins over the environment, which wins over auto', () => {
    expect(requestedEngine('liveedit', { EDIT_CONTINUE_ENGINE: 'swap' })).toBe('liveedit');
    expect(requestedEngine(undefined, { EDIT_CONTINUE_ENGINE: 'swap' })).toBe('swap');
    expect(requestedEngine(undefined, { EDIT_CONTINUE_ENGINE: ' LiveEdit ' })).toBe('liveedit');
    expect(requestedEngine(undefined, { EDIT_CONTINUE_ENGINE: '' })).toBe('auto');
    expect(requestedEngine(undefined, {})).toBe('auto');
  });
  test('a value that is no engine is a user error that says what to use', () => {
    expect(() => requestedEngine(undefined, { EDIT_CONTINUE_ENGINE: 'fast' })).toThrow('EDIT_CONTINUE_ENGINE=fast is not an engine: use auto, swap or liveedit');
    expect(() => requestedEngine('fast' as never, {})).toThrow("unknown engine 'fast'");
  });
});

describe('decideEngine', () => {
  test('auto where both can run: the preferred one, said only with -v', () => {
    const d = decideEngine('auto', caps(live, true));
    expect(d.kind).toBe(AUTO_PREFERS);
    expect(d.important).toBe(false);
  });
  test('auto without LiveEdit: swap, and the user is told why in one line', () => {
    expect(decideEngine('auto', caps(noLive, true))).toEqual({ kind: 'swap', important: true, note: 'engine: swap, because this node has no LiveEdit (V8: setScriptSource functionality no longer available)', probe: 'live edit off: setScriptSource functionality no longer available' });
  });
  test('auto without the swap transform: LiveEdit, quietly when it is there', () => {
    expect(decideEngine('auto', caps(live, false))).toMatchObject({ kind: 'liveedit', important: false });
  });
  test('auto with neither: saves will not patch, and the user is told both reasons', () => {
    const d = decideEngine('auto', caps(noLive, false));
    expect(d).toMatchObject({ kind: 'liveedit', important: true });
    expect(d.note).toBe('saves will not patch: this node has no LiveEdit (setScriptSource functionality no longer available) and no transform. The prompt works.');
  });
  test('liveedit asked for on a node without it: runs it, and says to use swap', () => {
    const d = decideEngine('liveedit', caps(noLive, true));
    expect(d).toMatchObject({ kind: 'liveedit', important: true });
    expect(d.note).toMatch(/saves will not patch; use --engine swap \(or auto\)/);
    expect(decideEngine('liveedit', caps(noLive, false)).note).toMatch(/start node with --inspector-live-edit/);
    expect(decideEngine('liveedit', caps(live, true))).toMatchObject({ kind: 'liveedit', important: false });
  });
  test('swap asked for: swap when the transform is there; else LiveEdit, said', () => {
    expect(decideEngine('swap', caps(live, true))).toMatchObject({ kind: 'swap', important: false });
    expect(decideEngine('swap', caps(noLive, true))).toMatchObject({ kind: 'swap', important: false });
    expect(decideEngine('swap', caps(live, false))).toEqual({ kind: 'liveedit', important: true, note: 'engine: LiveEdit, not swap: no transform', probe: 'dry run accepted' });
    expect(decideEngine('swap', caps(noLive, false))).toMatchObject({ kind: 'liveedit', important: true, note: expect.stringMatching(/^saves will not patch: no transform, and this node has no LiveEdit/) });
  });
});

describe('decideEngine: the probe\'s outcome goes with the decision (-v, --json)', () => {
  test('as the probe said it, else from its answer', () => {
    expect(decideEngine('auto', caps({ ok: true, probe: 'dry run accepted after turning on --inspector-live-edit' }, true)).probe).toBe('dry run accepted after turning on --inspector-live-edit');
    expect(decideEngine('liveedit', caps(live, true)).probe).toBe('dry run accepted');
    expect(decideEngine('swap', caps(noLive, true)).probe).toBe('live edit off: setScriptSource functionality no longer available');
  });
  test('an unclear probe is never called "no LiveEdit": auto says the probe failed, and how to choose', () => {
    const d = decideEngine('auto', caps({ ok: false, unsure: true, message: 'Internal error' }, true));
    expect(d).toMatchObject({ kind: 'swap', important: true });
    expect(d.note).not.toMatch(/no LiveEdit/);
    expect(d.note).toMatch(/LiveEdit probe got no clear answer \(Internal error\): --engine liveedit/);
  });
});

describe('carriesSwap', () => {
  test('a text the swap transform made is one', () => {
    const { addBoundaries, swapModuleId } = require('../../src/inject/boundary') as typeof import('../../src/inject/boundary');
    const text = addBoundaries('function f(a) { return a + 1; }\nmodule.exports = f;\n', 'script', { swap: { module: swapModuleId('/tmp/x.js') } });
    expect(carriesSwap(text)).toBe(true);
    expect(carriesSwap(addBoundaries('function f(a) { return a + 1; }\n', 'script'))).toBe(false);
  });
  test('a text with the retry boundaries only, or none, is not a swap text', () => {
    expect(carriesSwap('function f() {}\n/*edit-continue:boundaries*/')).toBe(false);
    expect(carriesSwap('function f() {}')).toBe(false);
  });
});
