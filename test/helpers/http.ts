// One HTTP GET for the tests that talk to the servers they run under edit-continue.
import * as http from 'node:http';

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** Fail when no answer has come by then (ms). */
  timeout?: number;
}

/** GET `route` of the server on 127.0.0.1:`port` (no keep-alive: the connection ends with the answer). */
export function httpGet(port: number, route = '/', opts: HttpGetOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: route, headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    if (opts.timeout !== undefined) req.setTimeout(opts.timeout, () => req.destroy(new Error(`GET ${route} timed out after ${opts.timeout} ms`)));
    req.on('error', reject);
  });
}

/** The body of GET `route`. */
export async function httpBody(port: number, route = '/'): Promise<string> {
  return (await httpGet(port, route)).body;
}
