// Save events are plain data (what --json writes and the API emits): every outcome the updater can
// report becomes an event that survives JSON unchanged and validates against docs/events.schema.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { eventLine, saveEventOf, type SaveEvent } from '../../src/report/events';
import type { UpdateOutcome } from '../../src/patch/updater';
import { Codes } from '../../src/patch/codes';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'events.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: false, formats: { 'date-time': (s: string) => !Number.isNaN(Date.parse(s)) } }).compile(schema);

const FILE = '/proj/a.js';
const fn = (name: string, line: number) => ({ name, line, async: true, generator: false });
const event = (outcome: UpdateOutcome, afterWaiting = false): SaveEvent => saveEventOf({ file: FILE, outcome, ms: 7, afterWaiting });

const outcomes: [string, UpdateOutcome][] = [
  ['patched', { status: 'patched', functions: [fn('f', 2)], notApplied: [{ code: Codes.TopLevelCode, message: 'top', line: 1 }], warnings: [{ code: Codes.StaleClosures, message: 'stale' }] }],
  ['waiting', { status: 'waiting', reason: { code: Codes.ActiveFunction, message: 'f is running' }, functions: [fn('f', 2)] }],
  ['not-patched', { status: 'not-patched', reasons: [{ code: Codes.NewDeclaration, message: 'new', line: 3 }] }],
  ['syntax error', { status: 'not-patched', reasons: [{ code: Codes.SyntaxError, message: 'SyntaxError: x (2:3)', line: 2 }], syntax: { problem: { message: 'x', line: 2, column: 3 }, text: 'a\nb +;\nc\nd\n' } }],
  ['unreadable', { status: 'unreadable', reason: { code: Codes.Unreadable, message: 'the file was deleted' } }],
  ['not-loaded', { status: 'not-loaded' }],
  ['unchanged', { status: 'unchanged' }],
];

describe('saveEventOf', () => {
  test.each(outcomes)('%s: plain data, unchanged by JSON; a JSON event validates against the schema', (_name, outcome) => {
    const save = event(outcome);
    expect(JSON.parse(JSON.stringify(save.event))).toEqual(save.event);
    if (save.type === 'unchanged') return; // not a JSON event in v1 (docs/events.md)
    const line = JSON.parse(eventLine(save.type, save.event));
    if (!validate(line)) throw new Error(`${JSON.stringify(line)}: ${JSON.stringify(validate.errors)}`);
  });

  test('which event each outcome is', () => {
    expect(outcomes.map(([name, o]) => [name, event(o).type])).toEqual([
      ['patched', 'patched'], ['waiting', 'pending'], ['not-patched', 'not-patched'], ['syntax error', 'not-patched'],
      ['unreadable', 'not-patched'], ['not-loaded', 'unchanged'], ['unchanged', 'unchanged'],
    ]);
  });

  test('patched: functions as {name, line}, reasons as {code, message, line?}, the time and whether it waited', () => {
    expect(event(outcomes[0][1], true).event).toEqual({
      file: FILE, functions: [{ name: 'f', line: 2 }], ms: 7, afterWaiting: true,
      notApplied: [{ code: 'EC201', message: 'top', line: 1 }], warnings: [{ code: 'EC206', message: 'stale' }],
    });
  });

  test('a syntax error carries the lines around it, not the whole text', () => {
    expect(event(outcomes[3][1]).event).toEqual({
      file: FILE, ms: 7, reasons: [{ code: 'EC101', message: 'SyntaxError: x (2:3)', line: 2 }],
      syntax: { line: 2, column: 3, firstLine: 1, lines: ['a', 'b +;', 'c'] },
    });
  });

  test('the schema is not a rubber stamp: a syntax excerpt without its lines fails it', () => {
    const bad = { v: 1, type: 'not-patched', time: new Date().toISOString(), file: FILE, ms: 1, reasons: [{ code: 'EC101', message: 'x' }], syntax: { line: 1, column: 1, firstLine: 1 } };
    expect(validate(bad)).toBe(false);
  });
});
