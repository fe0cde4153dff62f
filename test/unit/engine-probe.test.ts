// The LiveEdit probe (src/launch/engine-probe.ts) against scripted inspector answers, one case per
// answer V8 or node can give, and the engine `auto` then picks (engine-choice.ts): only V8's own
// "live edit off" may lead to the swap engine; every other failure is asked again, and an answer that
// stays unclear is said as such. The e2e side (a real node 26 and the stand-in) is in engine.test.ts.
import { probeLiveEdit, type ProbeConnection } from '../../src/launch/engine-probe';
import { decideEngine, dryRunAnswer } from '../../src/launch/engine-choice';

const OFF = 'setScriptSource functionality no longer available';

/** A protocol error as the connection rejects with it. */
const protocolError = (message: string) => Object.assign(new Error(message), { response: { message } });

type Step = { read?: string | Error; dryRun: (string | null)[] };

/**
 * A scripted target: per script, what reading it and each dry run answer (null: accepted), and what
 * turning the flag on does. Records the calls, in order.
 */
function target(scripts: Record<string, Step>, turnOn: 'works' | 'ignored' | 'throws' | 'rejects' = 'works') {
  const calls: string[] = [];
  let flag = false;
  const cdp: ProbeConnection = {
    Debugger: {
      getScriptSource: (async ({ scriptId }: { scriptId: string }) => {
        calls.push(`read ${scriptId}`);
        const read = scripts[scriptId]?.read ?? `text of ${scriptId}`;
        if (read instanceof Error) throw read;
        return { scriptSource: read };
      }) as never,
      setScriptSource: (async ({ scriptId, scriptSource, dryRun, allowTopFrameEditing }: { scriptId: string; scriptSource: string; dryRun: boolean; allowTopFrameEditing: boolean }) => {
        calls.push(`dry run ${scriptId}`);
        // the probe only ever asks the one safe question: a dry run of the script's own text, never top frame
        expect({ dryRun, allowTopFrameEditing, scriptSource }).toEqual({ dryRun: true, allowTopFrameEditing: false, scriptSource: `text of ${scriptId}` });
        const answers = scripts[scriptId].dryRun;
        let a = answers.length > 1 ? answers.shift()! : answers[0];
        if (a === OFF && flag) a = null;
        if (a !== null) throw protocolError(a);
        return { status: 'Ok' };
      }) as never,
    },
    evaluateNoStop: async ({ expression }) => {
      calls.push('turn on');
      expect(expression).toMatch(/setFlagsFromString\('--inspector-live-edit'\)/);
      if (turnOn === 'rejects') throw protocolError('Cannot find default execution context');
      if (turnOn === 'throws') return { exceptionDetails: { text: 'Uncaught', exception: { description: 'TypeError: process.getBuiltinModule is not a function' } } };
      if (turnOn === 'works') flag = true;
      return { result: { type: 'undefined' } };
    },
  };
  return { cdp, calls };
}

const launch = { enableAtRunTime: true };

describe('dryRunAnswer', () => {
  test('accepted, V8\'s refusal, or anything else', () => {
    expect(dryRunAnswer(null)).toBe('accepted');
    expect(dryRunAnswer(OFF)).toBe('off');
    expect(dryRunAnswer('Debugger.setScriptSource is no longer supported')).toBe('off');
    expect(dryRunAnswer('No script with given id found')).toBe('error');
    expect(dryRunAnswer('Internal error')).toBe('error');
  });
});

describe('probeLiveEdit', () => {
  test('Node 20–24: the dry run is accepted at once; nothing is turned on', async () => {
    const { cdp, calls } = target({ p: { dryRun: [null] } });
    expect(await probeLiveEdit(cdp, ['p'], launch)).toEqual({ ok: true, probe: 'dry run accepted' });
    expect(calls).toEqual(['read p', 'dry run p']);
  });

  test('Node 26: refused, the flag is turned on at run time, accepted; auto picks LiveEdit', async () => {
    const { cdp, calls } = target({ p: { dryRun: [OFF] } });
    const probe = await probeLiveEdit(cdp, ['p'], launch);
    expect(probe).toEqual({ ok: true, probe: 'dry run accepted after turning on --inspector-live-edit' });
    expect(calls).toEqual(['read p', 'dry run p', 'turn on', 'dry run p']);
    expect(decideEngine('auto', { liveEdit: probe, swap: true })).toMatchObject({ kind: 'liveedit', important: false, probe: 'dry run accepted after turning on --inspector-live-edit' });
  });

  test('the Node 27 stand-in: refused also after turning the flag on; auto picks swap and says why', async () => {
    const { cdp, calls } = target({ p: { dryRun: [OFF] }, q: { dryRun: [OFF] } }, 'ignored');
    const probe = await probeLiveEdit(cdp, ['p', 'q'], launch);
    expect(probe).toEqual({ ok: false, message: OFF, probe: `live edit off: ${OFF}, also after turning on --inspector-live-edit` });
    expect(calls).toEqual(['read p', 'dry run p', 'turn on', 'dry run p']); // (a clear answer: not asked again)
    expect(decideEngine('auto', { liveEdit: probe, swap: true })).toEqual({
      kind: 'swap', important: true, probe: probe.probe,
      note: `engine: swap, because this node has no LiveEdit (V8: ${OFF})`,
    });
  });

  test('without run-time enabling (attach to a swap program): V8\'s refusal is the answer', async () => {
    const { cdp, calls } = target({ p: { dryRun: [OFF] } });
    expect(await probeLiveEdit(cdp, ['p'], { enableAtRunTime: false })).toEqual({ ok: false, message: OFF, probe: `live edit off: ${OFF}` });
    expect(calls).toEqual(['read p', 'dry run p']);
  });

  test('another error after turning the flag on (the script gone): asked again with the next script, LiveEdit found', async () => {
    const { cdp, calls } = target({ p: { dryRun: [OFF, 'No script with given id found'] }, q: { dryRun: [OFF] } });
    const probe = await probeLiveEdit(cdp, ['p', 'q'], launch);
    expect(probe).toEqual({ ok: true, probe: 'dry run accepted after turning on --inspector-live-edit (before: dry run of script p after turning on --inspector-live-edit: No script with given id found)' });
    expect(calls).toEqual(['read p', 'dry run p', 'turn on', 'dry run p', 'read q', 'dry run q']);
  });

  test('a script that cannot be read, or an error other than V8\'s refusal: the next script is asked', async () => {
    const { cdp, calls } = target({ p: { read: protocolError('No script for id: p'), dryRun: [null] }, q: { dryRun: ['Internal error'] }, r: { dryRun: [null] } });
    expect(await probeLiveEdit(cdp, ['p', 'q', 'r'], launch)).toEqual({ ok: true, probe: 'dry run accepted (before: could not read script p: No script for id: p; dry run of script q: Internal error)' });
    expect(calls).toEqual(['read p', 'read q', 'dry run q', 'read r', 'dry run r']);
  });

  test('no clear answer from any attempt: unsure, not "no LiveEdit"; auto says the probe failed and how to choose', async () => {
    const { cdp, calls } = target({ p: { dryRun: ['Internal error'] }, q: { dryRun: ['Internal error'] }, r: { dryRun: ['Internal error'] }, s: { dryRun: [null] } });
    const probe = await probeLiveEdit(cdp, ['p', 'q', 'r', 's'], launch);
    expect(probe).toMatchObject({ ok: false, unsure: true, message: 'dry run of script r: Internal error' });
    expect(probe.probe).toBe('no clear answer: dry run of script p: Internal error; dry run of script q: Internal error; dry run of script r: Internal error');
    expect(calls.filter((c) => c.startsWith('dry run'))).toHaveLength(3); // (PROBE_ATTEMPTS)
    const d = decideEngine('auto', { liveEdit: probe, swap: true });
    expect(d).toMatchObject({ kind: 'swap', important: true, probe: probe.probe });
    expect(d.note).toBe('engine: swap, because the LiveEdit probe got no clear answer (dry run of script r: Internal error): --engine liveedit to use LiveEdit anyway');
  });

  test('no script to ask: unsure', async () => {
    const { cdp, calls } = target({});
    expect(await probeLiveEdit(cdp, [], launch)).toEqual({ ok: false, unsure: true, message: 'no script to probe with', probe: 'no clear answer: no script to probe with' });
    expect(calls).toEqual([]);
  });

  test('turning the flag on fails (the evaluate is refused, or throws): tried again on the next attempt', async () => {
    for (const how of ['rejects', 'throws'] as const) {
      const { cdp, calls } = target({ p: { dryRun: [OFF] }, q: { dryRun: [OFF] } }, how);
      const probe = await probeLiveEdit(cdp, ['p', 'q'], launch);
      const why = how === 'rejects' ? 'Cannot find default execution context' : 'TypeError: process.getBuiltinModule is not a function';
      // V8 said off, and the flag could not be turned on: off, with both reasons
      expect(probe).toEqual({ ok: false, message: OFF, probe: `live edit off: ${OFF}; could not turn on --inspector-live-edit: ${why}; could not turn on --inspector-live-edit: ${why}` });
      expect(calls).toEqual(['read p', 'dry run p', 'turn on', 'read q', 'dry run q', 'turn on']);
    }
  });

  test('turning the flag on fails once, then works: LiveEdit', async () => {
    const { cdp } = target({ p: { dryRun: [OFF] }, q: { dryRun: [OFF] } });
    let first = true;
    const evaluate = cdp.evaluateNoStop;
    cdp.evaluateNoStop = async (params) => {
      if (first) { first = false; throw protocolError('Execution context was destroyed.'); }
      return evaluate(params);
    };
    expect(await probeLiveEdit(cdp, ['p', 'q'], launch)).toEqual({ ok: true, probe: 'dry run accepted after turning on --inspector-live-edit (before: could not turn on --inspector-live-edit: Execution context was destroyed.)' });
  });
});
