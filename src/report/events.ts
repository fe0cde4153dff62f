// Machine-readable events: one JSON object per line (docs/events.md, schema docs/events.schema.json).
// Every line has the schema version `v`, the event `type` and its `time`; the rest depends on the type.
import * as fs from 'node:fs';

export const EVENTS_VERSION = 1;

export type EventType = 'started' | 'patched' | 'not-patched' | 'pending' | 'paused' | 'resumed' | 'exited';

export interface EventLog {
  write(type: EventType, payload: object): void;
  close(): Promise<void>;
}

/** One JSON line for an event (pure). */
export function eventLine(type: EventType, payload: object, now: Date = new Date()): string {
  return JSON.stringify({ v: EVENTS_VERSION, type, time: now.toISOString(), ...payload }) + '\n';
}

/** Events to a stream we do not own (stderr), or to a file we create (appending). */
export function openEventLog(to: NodeJS.WritableStream | string): EventLog {
  const stream = typeof to === 'string' ? fs.createWriteStream(to, { flags: 'a' }) : to;
  const owned = typeof to === 'string';
  return {
    write: (type, payload) => { stream.write(eventLine(type, payload)); },
    close: () => new Promise<void>((resolve) => {
      if (!owned) return resolve();
      (stream as fs.WriteStream).end(() => resolve());
    }),
  };
}
