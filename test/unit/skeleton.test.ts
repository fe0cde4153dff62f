// The top level as both planners see it (src/patch/skeleton.ts), and what LiveEdit's planner does with it.
import { describeScript } from '../../src/patch/functions';
import { MARK, declarationChanges, skeletonLines, topLevelTokens } from '../../src/patch/skeleton';
import { planPatch } from '../../src/patch/plan';
import { Codes } from '../../src/patch/codes';

const src = (...lines: string[]): string => lines.join('\n') + '\n';
const model = (text: string) => describeScript(text, 'script');

describe('skeleton', () => {
  test('each outermost function is one placeholder, and the lines stay the file\'s lines', () => {
    const text = src('const a = 1;', 'function f() {', '  return () => a;', '}', 'f();');
    expect(skeletonLines(model(text))).toEqual(['const a = 1;', MARK, '', '', 'f();', '']);
  });

  test('top-level tokens: comments and layout do not count; code does', () => {
    const base = topLevelTokens(model(src('const a = 1; // one', 'function f() { return a; }')), 'script');
    expect(topLevelTokens(model(src('const  a =', '  1;', '/* f */ function f() { return a + 1; }')), 'script')).toBe(base);
    expect(topLevelTokens(model(src('const a = 2;', 'function f() { return a; }')), 'script')).not.toBe(base);
  });

  test('the placeholder never joins the name before it: a method `m () {}` is `m() {}`', () => {
    const a = topLevelTokens(model(src('class A {', '  m () { return 1; }', '}')), 'script');
    expect(topLevelTokens(model(src('class A {', '  m() { return 2; }', '}')), 'script')).toBe(a);
    // and LiveEdit's planner sends the method's change with nothing left out
    const plan = planPatch(src('class A {', '  m () { return 1; }', '}'), src('class A {', '  m() { return 2; }', '}'), 'script');
    expect(plan.kind).toBe('patch');
    expect(plan.kind === 'patch' && plan.notApplied).toEqual([]);
  });

  test('declarations gained and lost, with the line of a new one', () => {
    const r = declarationChanges(model(src('let a = 1;', 'let b = 2;')), model(src('let a = 1;', '', 'const c = 3;')));
    expect([...r.added]).toEqual(['c']);
    expect(r.notApplied.map((n) => [n.code, n.line])).toEqual([[Codes.NewDeclaration, 3], [Codes.RemovedDeclaration, undefined]]);
  });
});
