// The node binaries the end-to-end tests run targets on: the system node (20) and the ones
// `npm run nodes` installs from the npm registry into nodes/node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface TestNode {
  major: number;
  bin: string;
}

const ROOT = path.resolve(__dirname, '..', '..');

function installed(major: number): string | null {
  const bin = path.join(ROOT, 'nodes', 'node_modules', `node${major}`, 'bin', 'node');
  return fs.existsSync(bin) ? bin : null;
}

/** All supported lines; EC_TEST_NODES=20,24 narrows the set for a quick local run. */
export function testNodes(): TestNode[] {
  const wanted = (process.env.EC_TEST_NODES ?? '20,22,24,26').split(',').map((s) => Number(s.trim()));
  const out: TestNode[] = [];
  for (const major of wanted) {
    if (major === Number(process.versions.node.split('.')[0])) {
      out.push({ major, bin: process.execPath });
      continue;
    }
    const bin = installed(major);
    if (!bin) throw new Error(`node ${major} is not installed for the tests: run 'npm run nodes'`);
    out.push({ major, bin });
  }
  return out;
}

export const ROOT_DIR = ROOT;
