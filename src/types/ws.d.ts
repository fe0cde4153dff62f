// The parts of ws (v7, which ships no types) that the inspector connection uses (src/cdp/connection.ts).
declare module 'ws' {
  import { EventEmitter } from 'node:events';
  class WebSocket extends EventEmitter {
    constructor(url: string, protocols: string[], options?: { maxPayload?: number; perMessageDeflate?: boolean });
    readonly readyState: number;
    send(data: string, cb?: (err?: Error) => void): void;
    close(code?: number): void;
    terminate(): void;
  }
  export = WebSocket;
}
