// Order statistics over a list of numbers (milliseconds, ratios).
'use strict';

function sorted(xs) {
  return [...xs].sort((a, b) => a - b);
}

/** The p-th percentile (0..100), interpolated between the closest ranks. */
function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const at = (p / 100) * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

function summary(xs) {
  if (xs.length === 0) return { n: 0, median: NaN, p95: NaN, min: NaN, max: NaN };
  const s = sorted(xs);
  return { n: xs.length, median: percentile(s, 50), p95: percentile(s, 95), min: s[0], max: s[s.length - 1] };
}

/** A fixed-seed generator (mulberry32): the same samples always give the same interval. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How sure a measure made of medians is: a percentile bootstrap of `statistic(medians)`, each list of
 * samples resampled with replacement, `level` of the resampled values between low and high. For a
 * target finer than the spread of runs (the CPU-bound ≤ 3 %, whose runs spread 10 % and more on a
 * 2-core machine; one engine's cost within 5 % of the other's), one median against another says less
 * than it seems: this says how much.
 */
function bootstrapInterval(lists, statistic, { level = 0.9, resamples = 4000, seed = 1 } = {}) {
  if (lists.some((l) => l.length === 0)) return { low: NaN, high: NaN };
  const random = seeded(seed);
  const pick = (list) => Array.from(list, () => list[Math.floor(random() * list.length)]);
  const values = [];
  for (let i = 0; i < resamples; i++) values.push(statistic(lists.map((l) => percentile(pick(l), 50))));
  const finite = values.filter(Number.isFinite);
  if (finite.length < values.length) return { low: NaN, high: NaN };
  const tail = ((1 - level) / 2) * 100;
  return { low: percentile(finite, tail), high: percentile(finite, 100 - tail) };
}

/** The interval of median(xs) / median(base) (bootstrapInterval). */
function ratioInterval(xs, base, options) {
  return bootstrapInterval([xs, base], ([a, b]) => a / b, options);
}

module.exports = { percentile, summary, bootstrapInterval, ratioInterval };
