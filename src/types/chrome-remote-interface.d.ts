// The parts of chrome-remote-interface that the tests use (a dev dependency: the package ships no types).
declare module 'chrome-remote-interface' {
  interface Options {
    target?: string;
    host?: string;
    port?: number;
    local?: boolean;
  }
  interface Client {
    send(method: string, params?: object): Promise<any>;
    on(event: string, listener: (...args: any[]) => void): this;
    once(event: string, listener: (...args: any[]) => void): this;
    removeListener(event: string, listener: (...args: any[]) => void): this;
    close(): Promise<void>;
    [domain: string]: any;
  }
  interface TargetInfo {
    id: string;
    type?: string;
    url?: string;
    webSocketDebuggerUrl?: string;
  }
  function CDP(options: Options): Promise<Client>;
  namespace CDP {
    /** GET /json/list of an inspector. */
    function List(options: { host?: string; port?: number }): Promise<TargetInfo[]>;
  }
  export = CDP;
}
