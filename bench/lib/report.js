// The results as one markdown table (printed and written to bench/RESULTS.md), the targets next to
// the numbers, and the misses listed below it.
'use strict';

const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '—');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×` : '—');

/**
 * A row: { measure, tool, engine (edit-continue's patch engine, else empty), stats (summary()), unit ('ms' | 'MB' | 'ratio'), vsBase, vsEc, target, result, notes }.
 * Rows are grouped by measure in the order added.
 */
class Report {
  constructor() {
    this.rows = [];
    this.misses = [];
    this.problems = [];
  }

  add(row) {
    this.rows.push(row);
  }

  /** Check a target; returns the result cell and records a miss. */
  target(what, ok, detail) {
    if (ok === null) {
      this.misses.push(`${what}: not measured (${detail})`);
      return `not measured`;
    }
    if (!ok) this.misses.push(`${what}: ${detail}`);
    return ok ? `met (${detail})` : `**MISS** (${detail})`;
  }

  /**
   * Check a "ratio ≤ limit" target against an interval of the ratio (stats.js ratioInterval): met when
   * all of it is within the limit, a miss when none of it is, and otherwise not decided by this run
   * (listed with the misses: it is not met).
   */
  targetInterval(what, { median, low, high }, limit, detail) {
    if (![median, low, high].every(Number.isFinite)) return this.target(what, null, detail);
    const range = `90 % interval ${low.toFixed(3)}–${high.toFixed(3)}×`;
    if (high <= limit) return this.target(what, true, `${detail}; ${range}`);
    if (low > limit) return this.target(what, false, `${detail}; ${range}`);
    this.misses.push(`${what}: not decided, ${detail} (${range}: the spread of runs is larger than the target)`);
    return `not decided (${detail}; ${range})`;
  }

  problem(text) {
    this.problems.push(text);
  }

  table() {
    const head = ['measure', 'tool', 'engine', 'median', 'p95', 'min–max', 'n', 'vs baseline', 'vs edit-continue', 'target', 'result / notes'];
    const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
    let last = null;
    for (const r of this.rows) {
      const s = r.stats;
      const unit = r.unit ?? 'ms';
      const fmt = (x) => (unit === 'MB' ? `${ms(x)} MB` : unit === 'ms' ? `${ms(x)} ms` : ms(x));
      const cells = s && s.n > 0
        ? [fmt(s.median), r.p95 === false ? '' : fmt(s.p95), `${fmt(s.min)}–${fmt(s.max)}`, String(s.n)]
        : ['—', '', '', '0'];
      const measure = r.measure === last ? '' : `**${r.measure}**`;
      last = r.measure;
      lines.push(`| ${[measure, r.tool, r.engine ?? '', ...cells, r.vsBase ?? '', r.vsEc ?? '', r.target ?? '', [r.result, r.notes].filter(Boolean).join('; ')].join(' | ')} |`);
    }
    return lines.join('\n');
  }

  markdown({ title, context, method }) {
    const out = [`# ${title}`, '', ...context.map((c) => `- ${c}`), '', this.table(), ''];
    out.push('## Misses', '');
    out.push(...(this.misses.length ? this.misses.map((m) => `- ${m}`) : ['- none']), '');
    if (this.problems.length) out.push('## Runs that failed or timed out', '', ...this.problems.map((p) => `- ${p}`), '');
    out.push('## How it was measured', '', ...method.map((m) => `- ${m}`), '');
    return out.join('\n');
  }
}

module.exports = { Report, ms, ratio };
