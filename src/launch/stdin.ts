// Our stdin belongs to the program while it runs and to the prompt while it is paused.
// Takes the streams as parameters and returns a cleanup, so it can be tested on its own.

export interface StdinRouter {
  /** Send input to the program (the default); `unread`: input the consumer took but did not use goes first. */
  toProgram(unread?: string): void;
  /** Hand input to a consumer (the prompt); nothing reaches the program meanwhile. */
  toConsumer(consumer: (chunk: Buffer) => void, onEnd: () => void): void;
  /** Stop reading for a while (another process, an editor, takes the terminal). */
  hold(): void;
  /** Has our stdin ended? */
  ended(): boolean;
  dispose(): void;
}

export function routeStdin(input: NodeJS.ReadableStream, program: NodeJS.WritableStream | null): StdinRouter {
  let consumer: ((chunk: Buffer) => void) | null = null;
  let onConsumerEnd: (() => void) | null = null;
  let isEnded = false;
  let programOpen = program !== null;

  const toProgram = (chunk: Buffer) => {
    if (!programOpen || !program) return;
    if (!program.write(chunk)) {
      input.pause();
      program.once('drain', () => { if (!consumer) input.resume(); });
    }
  };
  const onData = (chunk: Buffer | string) => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (consumer) consumer(buf);
    else toProgram(buf);
  };
  const onEnd = () => {
    isEnded = true;
    if (consumer) onConsumerEnd?.();
    else if (programOpen && program) { programOpen = false; program.end(); }
  };
  program?.on('error', () => { programOpen = false; });
  program?.on('close', () => { programOpen = false; });
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('error', onEnd);

  return {
    toProgram(unread) {
      consumer = null;
      onConsumerEnd = null;
      if (unread) toProgram(Buffer.from(unread));
      if (isEnded && programOpen && program) { programOpen = false; program.end(); }
      input.resume();
    },
    toConsumer(c, end) {
      consumer = c;
      onConsumerEnd = end;
      input.resume();
      if (isEnded) end();
    },
    hold() {
      consumer = () => {};
      onConsumerEnd = null;
      input.pause();
    },
    ended: () => isEnded,
    dispose() {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onEnd);
      input.pause();
    },
  };
}
