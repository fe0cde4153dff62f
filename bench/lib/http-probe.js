// Ask a local HTTP server one question; a refused or broken connection is an answer too (null).
'use strict';
const http = require('node:http');
const net = require('node:net');
const { performance } = require('node:perf_hooks');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(port, pathname, timeoutMs = 60000) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ body, t: performance.now() }));
      res.on('error', () => resolve(null));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** A port that was free a moment ago (the program under test listens on it, across restarts). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

module.exports = { get, freePort };
