// --help, the prompt's `help` and the README tell one story: the same options, the same commands.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { COMMANDS, helpText as promptHelp } from '../../src/prompt/commands';

const README = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

/** The text of a README section, from its heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section ${heading}`);
  const level = heading.match(/^#+/)![0].length;
  const rest = README.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The options a help text lists: `--long` words at the start of its option lines. */
function optionsOf(text: string): Set<string> {
  return new Set([...text.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]));
}

async function help(argv: string[]): Promise<string> {
  const r = await parseArgs(argv, process.execPath);
  if (r.kind !== 'help') throw new Error(`expected help, got ${r.kind}`);
  return r.text;
}

describe('--help and the README', () => {
  test('the README\'s Options block lists exactly the options of --help and of attach --help', async () => {
    const block = section('## Options').split('```')[1];
    const [run, attach] = block.split('Usage: edit-continue attach');
    const runHelp = optionsOf(await help(['--help']));
    const attachHelp = optionsOf(await help(['attach', '--help']));
    expect(runHelp.size).toBeGreaterThan(10);
    expect(optionsOf(run)).toEqual(runHelp);
    // attach: "the options above but --no-boundaries and --spawned, and:" what attach alone has
    expect(attach).toContain('the options above but --no-boundaries and --spawned');
    expect([...attachHelp].filter((o) => !runHelp.has(o)).sort()).toEqual([...optionsOf(attach)].sort());
    expect([...runHelp].filter((o) => !attachHelp.has(o))).toEqual(['--no-boundaries', '--spawned']);
  });

  test('the README\'s TypeScript ways in are in --help\'s examples', async () => {
    const text = await help(['--help']);
    expect(section('## TypeScript')).toContain('edit-continue node --import tsx src/index.ts');
    expect(text).toContain('edit-continue node --import tsx src/index.ts');
    expect(text).toContain('-r ts-node/register');
    expect(section('## TypeScript')).toContain('edit-continue tsx src/index.ts');
    expect(text).toMatch(/edit-continue tsx src\/index\.ts +the same/);
    expect(text).toMatch(/edit-continue node dist\/index\.js +tsc output/);
  });

  test('--help names every prompt command', async () => {
    const text = (await help(['--help'])).replace(/\s+/g, ' ');
    for (const c of COMMANDS) if (c.name !== 'help') expect(text).toContain(` ${c.usage.split(' ')[0]}`);
    expect(text).toContain('thread N');
  });
});

describe('the prompt\'s help and the README', () => {
  /** The README's command table: the commands of each row's first cell (each cell's backticked words, first word). */
  const table = section('## When it stops: the prompt').split('| command | what it does |')[1] ?? '';
  const rows = table.split('\n').slice(2).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')));
  const documented = rows.flatMap((r) => [...r.split(' | ')[0].matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].split(' ')[0]));

  test('every word of the README\'s command table is a prompt command or one of its aliases', () => {
    const known = new Set(COMMANDS.flatMap((c) => [c.name, ...c.aliases]));
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((w) => !known.has(w))).toEqual([]);
  });

  test('every prompt command is in the README\'s table and in the prompt\'s own help', () => {
    const words = new Set(documented);
    const inHelp = promptHelp();
    for (const c of COMMANDS) {
      expect([c.name, ...c.aliases].some((w) => words.has(w)) ? c.name : `${c.name} missing from the README`).toBe(c.name);
      expect(inHelp).toContain(c.usage);
    }
    expect(inHelp).toMatch(/threads +the main thread, the worker threads and the child processes/);
  });
});
