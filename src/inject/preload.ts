// Runs inside the user's program (loaded with --require before the main script). Keep it small and
// free of controller imports: it is the only code of ours in the user's process.
//
// The lifeline: edit-continue passes the read end of a pipe as an extra file descriptor. When the
// controller dies for any reason (even SIGKILL) the pipe closes; a worker thread notices even when
// the main thread is busy in a loop, and ends the program so it is never left running or paused
// forever. When the debugger socket closes V8 resumes a paused main thread by itself.
import { Worker } from 'node:worker_threads';

const LIFELINE_ENV = 'EDIT_CONTINUE_LIFELINE_FD';

function startLifeline(): void {
  const fd = Number(process.env[LIFELINE_ENV]);
  delete process.env[LIFELINE_ENV];
  if (!Number.isInteger(fd) || fd < 3) return;
  const source = `
    const { workerData } = require('node:worker_threads');
    const net = require('node:net');
    const end = () => {
      try { process.kill(workerData.pid, 'SIGTERM'); } catch {}
      setTimeout(() => { try { process.kill(workerData.pid, 'SIGKILL'); } catch {} }, 3000);
    };
    const pipe = new net.Socket({ fd: workerData.fd, readable: true, writable: false });
    pipe.on('data', () => {});
    pipe.on('end', end);
    pipe.on('error', end);
  `;
  const worker = new Worker(source, {
    eval: true,
    workerData: { fd, pid: process.pid },
    env: {},
    stdout: false,
    stderr: false,
    name: 'edit-continue lifeline',
  });
  worker.unref();
  worker.on('error', () => {});
}

startLifeline();
