// The parts of chrome-remote-interface that edit-continue uses (the package ships no types).
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
  function CDP(options: Options): Promise<Client>;
  export = CDP;
}
