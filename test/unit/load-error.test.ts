// Where a load error is, for the stop's code frame: acorn's place in a JavaScript file; node's own in
// a TypeScript file (acorn cannot read one, and would name its first type annotation).
import { syntaxErrorIn, typeScriptErrorIn } from '../../src/session/load-error';

const TEXT = 'class Counter {\n  #n: number = 0;\n  constructor(private readonly step: number) {}\n}\n';
const PLACE = ['  #n: number = 0;', '  constructor(private readonly step: number) {}', '                               ^^^^^^^^^^^^', '}', ''];

describe('typeScriptErrorIn', () => {
  test("a load error's stack with node's place in front (Node 22 and 24 at the stop): line, column of the first ^, message", () => {
    const description = ['/app/bad.ts:3', ...PLACE, 'SyntaxError [ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX]: TypeScript parameter property is not supported in strip-only mode', '    at parseTypeScript (node:internal/modules/typescript:68:40)'].join('\n');
    expect(typeScriptErrorIn('/app/bad.ts', TEXT, description)).toEqual({ file: '/app/bad.ts', line: 3, column: 31, message: 'TypeScript parameter property is not supported in strip-only mode', text: TEXT });
  });

  test("the stripper's own error (no file name before the line), and a plain SyntaxError line", () => {
    const description = [':3', ...PLACE, 'SyntaxError: TypeScript parameter property is not supported in strip-only mode'].join('\n');
    expect(typeScriptErrorIn('/app/bad.ts', TEXT, description)).toMatchObject({ line: 3, column: 31, message: 'TypeScript parameter property is not supported in strip-only mode' });
  });

  test('a stack without the place (Node 26 at the stop): none, not a guess', () => {
    const description = 'SyntaxError: TypeScript parameter property is not supported in strip-only mode\n    at parseTypeScript (node:internal/modules/typescript:57:40)';
    expect(typeScriptErrorIn('/app/bad.ts', TEXT, description)).toBeNull();
    expect(typeScriptErrorIn('/app/bad.ts', TEXT, undefined)).toBeNull();
  });
});

describe('syntaxErrorIn', () => {
  test("a JavaScript file: acorn's place and message", () => {
    expect(syntaxErrorIn('/app/bad.js', 'exports.x = 1;\nexports.y = (2;\n')).toMatchObject({ line: 2, column: 14, message: 'Unexpected token' });
  });

  test('what parses has no place', () => {
    expect(syntaxErrorIn('/app/ok.js', 'exports.x = 1;\n')).toBeNull();
  });
});
