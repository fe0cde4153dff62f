// A typed connection to one target's inspector, over chrome-remote-interface.
import CDP = require('chrome-remote-interface');
import type { ProtocolProxyApi } from 'devtools-protocol/types/protocol-proxy-api';
import { debug } from '../util/log';

const log = debug('cdp');

export type Domains = Pick<ProtocolProxyApi.ProtocolApi, 'Debugger' | 'Runtime'>;

export interface Connection extends Domains {
  /** Calls outside the typed domains (NodeRuntime, NodeWorker). */
  send(method: string, params?: object): Promise<any>;
  /** Events outside the typed domains, by full name (`NodeRuntime.waitingForDisconnect`). */
  onRaw(event: string, listener: (params: any) => void): void;
  close(): Promise<void>;
  /** Resolves when the socket closes, for whatever reason. */
  closed: Promise<void>;
}

export async function connect(wsUrl: string): Promise<Connection> {
  // local: true because the target publishes its id on stderr only, not over HTTP.
  const client = await CDP({ target: wsUrl, local: true });
  log('connected', wsUrl);
  let isClosed = false;
  const closed = new Promise<void>((resolve) => client.on('disconnect', () => { isClosed = true; log('disconnected'); resolve(); }));
  return {
    Debugger: client.Debugger,
    Runtime: client.Runtime,
    send: (method, params) => client.send(method, params),
    onRaw: (event, listener) => { client.on(event, listener); },
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      try { await client.close(); } catch { /* already gone */ }
    },
    closed,
  };
}

/** The message of a protocol error, without chrome-remote-interface's decoration. */
export function protocolMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { response?: { message?: string; data?: string }; message?: string };
    if (e.response?.message) return e.response.message + (e.response.data ? `: ${e.response.data}` : '');
    if (e.message) return e.message;
  }
  return String(err);
}
