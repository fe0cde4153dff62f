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

module.exports = { percentile, summary };
