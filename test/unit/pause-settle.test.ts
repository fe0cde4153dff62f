// When a command that runs code may follow a pause request (src/cdp/pause-settle.ts): once every
// request is answered and either a stop came or SETTLE_MS passed with none.
import { PauseSettle, SETTLE_MS } from '../../src/cdp/pause-settle';
import { FakeClock } from '../helpers/fake-clock';

function make(): { s: PauseSettle; clock: FakeClock; calls: () => number } {
  const clock = new FakeClock();
  let n = 0;
  const s = new PauseSettle(() => { n++; }, clock);
  return { s, clock, calls: () => n };
}

describe('PauseSettle', () => {
  test('settled with no request; a request is not settled until answered and SETTLE_MS pass with no stop', async () => {
    const { s, clock, calls } = make();
    expect(s.settled).toBe(true);
    const answered = s.sent();
    expect(s.settled).toBe(false);
    await clock.advance(SETTLE_MS * 3);
    expect(s.settled).toBe(false); // (unanswered: time alone does not settle it)
    answered();
    expect(s.settled).toBe(false);
    await clock.advance(SETTLE_MS - 1);
    expect(s.settled).toBe(false);
    expect(calls()).toBe(0);
    await clock.advance(1);
    expect(s.settled).toBe(true);
    expect(calls()).toBe(1);
  });

  test('a stop settles every request sent before it, answered or not, at once', () => {
    const { s, calls } = make();
    const first = s.sent();
    s.sent();
    first();
    s.stopped();
    expect(s.settled).toBe(true);
    expect(calls()).toBe(1);
  });

  test('an answer that comes after a stop starts no wait', async () => {
    const { s, clock } = make();
    const answered = s.sent();
    s.stopped();
    answered();
    expect(s.settled).toBe(true);
    expect(clock.timers.size).toBe(0);
  });

  test('two requests: the wait starts at the last answer', async () => {
    const { s, clock } = make();
    const a = s.sent();
    const b = s.sent();
    a();
    await clock.advance(SETTLE_MS);
    expect(s.settled).toBe(false);
    b();
    await clock.advance(SETTLE_MS);
    expect(s.settled).toBe(true);
  });

  test('a request after a stop is not settled by that stop', () => {
    const { s } = make();
    s.stopped();
    const answered = s.sent();
    answered();
    expect(s.settled).toBe(false);
  });

  test('closed: settled at once, and a late answer changes nothing', () => {
    const { s, clock, calls } = make();
    const answered = s.sent();
    s.closed();
    expect(s.settled).toBe(true);
    expect(calls()).toBe(1);
    answered();
    expect(s.settled).toBe(true);
    expect(clock.timers.size).toBe(0);
  });
});
