// When may a command that runs the program's code (Runtime.evaluate, callFunctionOn) follow a
// Debugger.pause? Not while V8 may still have the stop due: node dispatches inspector messages in
// an interrupt of the program's JavaScript, several in one go, and V8 takes the requested stop only
// at its next check after that dispatch. An evaluate dispatched in between stops in its own code,
// over a program frame V8 may have interrupted at a function's entry, and building that frame's
// scopes for the `paused` event fails a V8 check: the process aborts (every line, 20 to 26;
// docs/v8.md, "A stop inside code the inspector runs").
//
// Neither the request's answer nor a kick answered after it says that the dispatch is over (an
// evaluate sent after both was still dispatched in it, and aborted node 20 once in 12). A stop
// (`Debugger.paused`) says V8 has taken the request. No stop within SETTLE_MS of the answer: node
// read the request while the program was idle (V8 then stops at the program's next call, and an
// evaluate dispatched from the idle loop has no program frame under it) or V8 dropped it. Pure:
// the connection says what it sends and reads, and runs what waits when `onSettled` is called.

/** How long after a pause request's answer, with no stop, the request counts as settled (ms). */
export const SETTLE_MS = 100;

export interface SettleTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: SettleTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class PauseSettle {
  /** Pause requests sent and not answered, with no stop since they were sent. */
  private out = 0;
  private timer: unknown = null;
  /** Stops seen: a request sent before the latest stop is settled by it. */
  private stops = 0;

  /** `onSettled`: called each time the requests become settled (the connection lets what waits go). */
  constructor(private readonly onSettled: () => void, private readonly timers: SettleTimers = realTimers) {}

  /** No pause request may still be due in V8: a command that runs code may go. */
  get settled(): boolean {
    return this.out === 0 && this.timer === null;
  }

  /** Send a Debugger.pause with `send` and count it until its answer (or error). */
  request<T>(send: () => Promise<T>): Promise<T> {
    const answered = this.sent();
    const answer = send();
    answer.then(answered, answered);
    return answer;
  }

  /** A Debugger.pause goes out; call the returned function at its answer (or error). */
  sent(): () => void {
    this.out++;
    const stopsAtSend = this.stops;
    let once = false;
    return () => {
      if (once) return;
      once = true;
      if (this.stops !== stopsAtSend || this.out === 0) return; // a stop since, or closed: already counted out
      this.out--;
      if (this.out > 0) return;
      this.clearTimer();
      this.timer = this.timers.setTimeout(() => { this.timer = null; this.flush(); }, SETTLE_MS);
    };
  }

  /** A `Debugger.paused`: every request sent before it is settled. */
  stopped(): void {
    this.stops++;
    this.out = 0;
    this.clearTimer();
    this.flush();
  }

  /** The connection closed: let everything that waits go (it is refused as closed). */
  closed(): void {
    this.out = 0;
    this.clearTimer();
    this.flush();
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(): void {
    if (this.settled) this.onSettled();
  }
}
