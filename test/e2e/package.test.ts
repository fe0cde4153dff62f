// The package as a user gets it: `npm pack` in a tree with no dist/ (so the prepack/prepare build
// must make it), the tarball installed into an empty folder, and `npx edit-continue app.js` patching a
// save there. The install uses npm's cache first (--prefer-offline): it needs no network beyond the
// npm registry, and none at all once the cache holds the dependencies.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertNoV8Abort, edit, runCli, type RunningCli } from '../helpers/cli';
import { ROOT_DIR } from '../helpers/nodes';
import { testNodes } from '../helpers/nodes';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { name: string; version: string; files: string[] };

/** npm as a user's shell runs it: not with the npm_* settings of the `npm test` that runs jest. */
function npm(args: string[], cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  try {
    return execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(' ')} in ${cwd} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** What a user types: `npx edit-continue …`, from the installed package only (--no: never fetch it). */
const NPX = ['npx', '--no', '--', 'edit-continue'];

const APP = `function price(n) { return n * 10; }
let n = 0;
const t = setInterval(() => {
  n++;
  const p = price(n);
  console.log('tick ' + n + ' price ' + p);
  if (p === n * 7) { console.log('patched code ran'); clearInterval(t); }
  if (n === 600) { console.log('never patched'); clearInterval(t); }
}, 100);
`;

let work: string;
let tarball: string;
let files: string[];
let app: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-package-'));
  // The source tree as a fresh clone has it, without dist/: what package.json ships, minus dist,
  // plus what the build needs. node_modules is the repo's (the build tools only).
  const src = path.join(work, 'src');
  fs.mkdirSync(src);
  const needed = new Set([...pkg.files.filter((f) => f !== 'dist'), 'package.json', 'package-lock.json', 'tsconfig.json', 'src', 'scripts']);
  for (const f of needed) fs.cpSync(path.join(ROOT_DIR, f), path.join(src, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT_DIR, 'node_modules'), path.join(src, 'node_modules'), 'dir');
  expect(fs.existsSync(path.join(src, 'dist'))).toBe(false);

  const out = npm(['pack', '--pack-destination', work], src).trim().split('\n');
  tarball = path.join(work, out[out.length - 1]);
  expect(path.basename(tarball)).toBe(`${pkg.name}-${pkg.version}.tgz`);
  files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));

  app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), '{ "private": true }\n');
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
}, 180000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  test('has the built dist/ with types, the bin and the register hook; no sources or tests', () => {
    for (const f of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/inject/preload.js', 'dist/inject/register.js', 'bin/edit-continue', 'register.js', 'README.md', 'package.json']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|fixtures|scripts)\//.test(f))).toEqual([]);
  });

  test('every source map carries the text of the sources it names (src/ is not shipped)', () => {
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    const dir = path.join(app, 'node_modules', pkg.name);
    for (const m of maps) {
      const map = JSON.parse(fs.readFileSync(path.join(dir, m), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      const dangling = map.sources.filter((s, i) => typeof map.sourcesContent?.[i] !== 'string' && !files.includes(path.posix.join(path.posix.dirname(m), s)));
      expect({ map: m, dangling }).toEqual({ map: m, dangling: [] });
    }
  });

  test("the README's and docs' relative links lead to files in the package", () => {
    const docs = files.filter((f) => f.endsWith('.md'));
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'docs/v8.md']));
    const broken: string[] = [];
    for (const doc of docs) {
      const text = fs.readFileSync(path.join(app, 'node_modules', pkg.name, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:|^#/.test(target)) continue;
        const file = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target.replace(/#.*$/, '')));
        if (!files.includes(file)) broken.push(`${doc} -> ${target}`);
      }
      if (/\.\.\/shared\//.test(text)) broken.push(`${doc} -> ../shared (not in the package)`);
    }
    expect(broken).toEqual([]);
  });

  test('installs as files (not a link to this repo), with its bin', () => {
    const installed = path.join(app, 'node_modules', pkg.name);
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(fs.existsSync(path.join(app, 'node_modules', '.bin', 'edit-continue'))).toBe(true);
    const cli = runCli(['--version'], { cwd: app, exe: NPX, stdin: 'ignore' });
    return cli.exited.then((exit) => {
      expect(exit.code).toBe(0);
      expect(cli.stdout().trim()).toBe(pkg.version);
    });
  });
});

describe.each(testNodes())('npx edit-continue from the installed tarball, node $major', ({ bin }) => {
  let cli: RunningCli | undefined;
  afterEach(async () => {
    if (!cli) return;
    assertNoV8Abort(cli);
    cli.kill('SIGKILL');
    await cli.exited;
    cli = undefined;
  });

  test('runs app.js and patches a save in the running process', async () => {
    const dir = fs.mkdtempSync(path.join(app, `run-${path.basename(bin)}-`));
    const file = path.join(dir, 'app.js');
    fs.writeFileSync(file, APP);
    cli = runCli([bin, 'app.js'], { cwd: dir, exe: NPX });
    await cli.waitFor(/tick 2 price 20\n/, { step: 'program runs under the installed edit-continue' });
    const mark = cli.mark('stderr');
    edit(file, 'n * 10', 'n * 7');
    await cli.waitFor(/\[ec\] patched app\.js: price/, { stream: 'stderr', after: mark, step: 'save patched' });
    const exit = await cli.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const ticks = cli.stdout().trim().split('\n');
    expect(ticks[ticks.length - 1]).toBe('patched code ran');
    // one process throughout: the ticks count on from where they were, none is missing or repeated
    const counts = ticks.slice(0, -1).map((l) => Number(l.match(/^tick (\d+) price \d+$/)?.[1]));
    expect(counts).toEqual(counts.map((_, i) => i + 1));
    expect(counts.length).toBeGreaterThan(2);
  });
});
