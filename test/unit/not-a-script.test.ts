import { editContinueFor, notAScriptMessage, type Surroundings } from '../../src/launch/not-a-script';

const at = (over: Partial<Surroundings> = {}): Surroundings => ({ cwd: '/app', packageJson: null, onPath: () => null, ...over });

describe('editContinueFor: the edit-continue command for a package script', () => {
  test.each([
    ['node server.js --port 3000', 'edit-continue node server.js --port 3000'],
    ['NODE_ENV=dev node --enable-source-maps dist/app.js', 'NODE_ENV=dev edit-continue node --enable-source-maps dist/app.js'],
    ['tsx src/index.ts', 'edit-continue node --import tsx src/index.ts'],
    ['ts-node src/index.ts', 'edit-continue node -r ts-node/register src/index.ts'],
  ])('%s', (script, expected) => {
    expect(editContinueFor(script)).toBe(expected);
  });
  test.each([
    'tsc && node dist/app.js', 'node --watch app.js', 'tsx watch src/index.ts', 'next dev', 'vite', '',
  ])('none for %j (a chain, a restarter, another tool)', (script) => {
    expect(editContinueFor(script)).toBeNull();
  });
});

describe('notAScriptMessage', () => {
  test('npm start and npm run X name the package script and the command that runs it', () => {
    const packageJson = { scripts: { start: 'node app.js', dev: 'tsx src/main.ts', build: 'tsc' } };
    expect(notAScriptMessage('npm', ['start'], at({ packageJson }))).toBe(
      'npm starts your program in a node of its own, out of edit-continue\'s reach (package.json\'s "start" runs `node app.js`): run edit-continue node app.js.',
    );
    expect(notAScriptMessage('npm', ['run', 'dev'], at({ packageJson }))).toMatch(/\(package\.json's "dev" runs `tsx src\/main\.ts`\): run edit-continue node --import tsx src\/main\.ts\./);
    expect(notAScriptMessage('yarn', ['dev'], at({ packageJson }))).toMatch(/^yarn starts your program .*run edit-continue node --import tsx src\/main\.ts\./);
    // a script that is no node command: the general advice
    expect(notAScriptMessage('npm', ['run', 'build'], at({ packageJson }))).toMatch(/runs `tsc`\): run the program with node under edit-continue \(edit-continue node app\.js\)\.$/);
  });

  test('a package manager that is a node program on PATH: the --spawned command too', () => {
    const onPath = (n: string) => (n === 'npm' ? '/usr/lib/node_modules/npm/bin/npm-cli.js' : null);
    expect(notAScriptMessage('npm', ['start'], at({ onPath }))).toMatch(/ Or keep npm and reach the node it starts: edit-continue --spawned node \/usr\/lib\/node_modules\/npm\/bin\/npm-cli\.js start$/);
    // a native one (bun) is not run with node
    expect(notAScriptMessage('bun', ['dev'], at({ onPath: () => '/usr/bin/bun' }))).not.toMatch(/--spawned/);
  });

  test('restarters are told why not, with the file they would have run', () => {
    expect(notAScriptMessage('nodemon', ['--watch', 'src', 'server.js'], at())).toBe(
      'nodemon runs the program again on every save, which is what edit-continue avoids: run the program itself, edit-continue node server.js, and saves patch it as it runs',
    );
    expect(notAScriptMessage('ts-node-dev', [], at())).toMatch(/edit-continue node app\.js/);
  });

  test('npx: tsx and ts-node run themselves; another tool through its script', () => {
    expect(notAScriptMessage('npx', ['tsx', 'src/a.ts'], at())).toBe('npx starts tsx in a node of its own: run tsx itself, edit-continue tsx src/a.ts');
    expect(notAScriptMessage('npx', ['vite-node', 'x.ts'], at())).toMatch(/run its script, edit-continue node_modules\/\.bin\/vite-node x\.ts$/);
  });

  test('another command that is a node program on PATH; a path or an unknown word: nothing better to say', () => {
    expect(notAScriptMessage('eslint', ['.'], at({ onPath: () => '/usr/lib/node_modules/eslint/bin/eslint.js' }))).toMatch(/^'eslint' is a command, not a script file here; it is a node program at \/usr\/lib\/node_modules\/eslint\/bin\/eslint\.js: edit-continue node \/usr\/lib\/node_modules\/eslint\/bin\/eslint\.js \. runs it/);
    expect(notAScriptMessage('src/nope.js', [], at())).toBeNull();
    expect(notAScriptMessage('nope.js', [], at())).toBeNull();
    expect(notAScriptMessage('tsc', [], at({ onPath: () => '/usr/bin/tsc' }))).toBeNull();
  });
});
