// A clock for the Updater whose time only moves when a unit test says so (updater.test.ts,
// plan-base.test.ts).
import type { Clock } from '../../src/patch/updater';

/** Let pending promise callbacks run: `rounds` turns of the event loop. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  t = 0;
  private nextId = 1;
  readonly timers = new Map<number, { at: number; fn: () => void; ms: number }>();
  /** Every delay ever asked for, in order. */
  readonly requested: number[] = [];

  /** `settleRounds`: how many event-loop turns promises get after each timer fires. */
  constructor(private readonly settleRounds = 10) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn, ms });
    this.requested.push(ms);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Move time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle(this.settleRounds);
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await settle(this.settleRounds);
    }
    this.t = end;
    await settle(this.settleRounds);
  }
}
