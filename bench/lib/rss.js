// Peak resident memory of a running process (Linux: VmHWM in /proc/PID/status), in MB.
'use strict';
const fs = require('node:fs');

function peakRssMb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

module.exports = { peakRssMb };
