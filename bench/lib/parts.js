// The four parts of the benchmark: each runs its measurements and adds its rows (with the targets
// of issue 4 next to them) to the report.
'use strict';
const { summary, bootstrapInterval, ratioInterval } = require('./stats');
const { ms, ratio } = require('./report');
const { saveToLive } = require('./save-live');
const { backToState } = require('./back-to-state');
const { overhead } = require('./overhead');
const { scale } = require('./scale');

const kLines = (n) => `${n / 1000}k`;
const p50 = (xs) => summary(xs).median;
/** The plain node rows: of the target line, of node 26 and of the stand-in (node 26 behind its wrapper). */
const isBaseline = (v) => v.id === 'node' || v.id === 'nodeNoLive' || v.id === 'node26';
const signedMs = (x) => `${x < 0 ? '−' : '+'}${ms(Math.abs(x))} ms`;

/** Tools that can run here, and a row saying why for the ones that cannot. */
function usable(ids, ctx, measure) {
  const out = [];
  for (const id of ids) {
    const t = ctx.tools[id];
    const c = ctx.available[id];
    if (c.ok) out.push(t);
    else ctx.report.add({ measure, tool: t.label, engine: t.engine, stats: null, notes: `cannot run here: ${c.reason}` });
  }
  return out;
}

const PEERS = ['ec', 'floor', 'nodeWatch', 'nodemon', 'deno', 'bun'];
/** edit-continue with the swap engine: on the target node, and on the Node 27 stand-in (auto picks swap there). */
const SWAPS = ['ecSwap', 'ecNoLive'];
const isSwap = (id) => SWAPS.includes(id);
/** The swap engine's save → live targets (issue 11), by file size; none given for the sizes between. */
const SWAP_LIVE_TARGET = { 1000: 30, 50000: 50 };

async function part1SaveToLive(ctx) {
  const { plan, report, env, log } = ctx;
  for (const lines of plan.sizes) {
    const measure = `1. save → live, ${kLines(lines)}-line file (p50 / p95 over ${plan.saves} saves)`;
    const results = {};
    const tools = usable(['ec', ...SWAPS, 'ecNoBoundaries', ...PEERS.slice(1)], ctx, measure);
    for (const t of tools) {
      log(`1. save → live, ${kLines(lines)} lines: ${t.label} ...`);
      results[t.id] = await saveToLive(t, env, { lines, saves: plan.saves, warmupMs: plan.warmupMs });
      for (const m of results[t.id].misses) report.problem(`${measure}, ${t.label}: ${m}`);
      log(`   p50 ${ms(p50(results[t.id].samples))} ms`);
    }
    const floor = results.floor ? p50(results.floor.samples) : NaN;
    const ec = results.ec ? p50(results.ec.samples) : NaN;
    for (const t of tools) {
      const r = results[t.id];
      const s = summary(r.samples);
      const row = { measure, tool: t.label, engine: t.engine, stats: s, vsBase: t.id === 'floor' ? 'baseline' : `${ratio(s.median, floor)} floor` };
      if (t.id !== 'ec') row.vsEc = ratio(s.median, ec);
      if (r.misses.length) row.notes = `${r.misses.length} save(s) not live in time`;
      const limit = SWAP_LIVE_TARGET[lines];
      if (isSwap(t.id) && limit !== undefined) {
        row.target = `p50 ≤ ${limit} ms`;
        row.result = report.target(`${t.label}: save → live at ${kLines(lines)} lines (p50 ≤ ${limit} ms)`, Number.isFinite(s.median) ? s.median <= limit : null, `p50 ${ms(s.median)} ms`);
      }
      if (t.id === 'ec') {
        const want = lines === 1000 ? 'p50 ≤ 30 ms; ≤ 1.25× floor' : '≤ 1.25× floor';
        row.target = want;
        const okFloor = s.median <= 1.25 * floor;
        const ok = lines === 1000 ? okFloor && s.median <= 30 : okFloor;
        row.result = report.target(`save → live at ${kLines(lines)} lines (${want})`, Number.isFinite(s.median) && Number.isFinite(floor) ? ok : null,
          `p50 ${ms(s.median)} ms = ${ratio(s.median, floor)} the floor's ${ms(floor)} ms`);
      }
      report.add(row);
    }
  }
}

async function part2BackToState(ctx) {
  const { plan, report, env, log } = ctx;
  const measure = `2. back to state: save → correct answer, server with ~${plan.stateSeconds} s of state (${plan.stateSaves} saves)`;
  const tools = usable([PEERS[0], ...SWAPS, ...PEERS.slice(1)], ctx, measure);
  const results = {};
  for (const t of tools) {
    log(`2. back to state: ${t.label} ...`);
    results[t.id] = await backToState(t, env, { saves: plan.stateSaves, records: plan.stateRecords, warmupMs: plan.warmupMs });
    for (const m of results[t.id].misses) report.problem(`${measure}, ${t.label}: ${m}`);
    log(`   median ${ms(p50(results[t.id].samples))} ms, state kept ${results[t.id].survived.filter(Boolean).length}/${results[t.id].survived.length}`);
  }
  const watch = results.nodeWatch ? p50(results.nodeWatch.samples) : NaN;
  const ec = results.ec ? p50(results.ec.samples) : NaN;
  for (const t of tools) {
    const r = results[t.id];
    const s = summary(r.samples);
    const kept = r.survived.filter(Boolean).length;
    const notes = [
      r.survived.length ? (kept === r.survived.length ? `state kept ${kept}/${r.survived.length}` : `state rebuilt ${r.survived.length - kept}/${r.survived.length}`) : '',
      r.builtMs !== null ? `built in ${r.builtMs} ms at start` : '',
      r.misses.length ? `${r.misses.length} save(s) never answered` : '',
    ].filter(Boolean).join(', ');
    const row = { measure, tool: t.label, engine: t.engine, stats: s, vsBase: t.id === 'nodeWatch' ? 'baseline' : `${ratio(s.median, watch)} node --watch`, notes };
    if (t.id !== 'ec') row.vsEc = ratio(s.median, ec);
    if (t.id === 'ec' || isSwap(t.id)) {
      row.target = '≥ 20× faster than node --watch';
      const speedup = watch / s.median;
      row.result = report.target(`${t.id === 'ec' ? '' : `${t.label}: `}back to state (≥ 20× faster than node --watch)`, Number.isFinite(speedup) ? speedup >= 20 : null,
        `${Number.isFinite(speedup) ? speedup.toFixed(1) : '—'}× faster (${ms(s.median)} ms vs ${ms(watch)} ms)${kept === r.survived.length ? '' : ', state lost'}`);
    }
    report.add(row);
  }
}

async function part3Overhead(ctx) {
  const { plan, report, env, log, tools } = ctx;
  const noLive = ctx.available.ecNoLive.ok ? [tools.nodeNoLive, ...(ctx.available.ecLive26.ok ? [tools.node26, tools.ecLive26] : []), tools.ecNoLive] : [];
  const variants = [tools.node, tools.ec, tools.ecSwap, tools.ecNoBoundaries, ...(plan.attachReference ? [tools.floorAttached] : []), ...noLive];
  log(`3. overhead: ${plan.cpuRounds} round(s) of the CPU-bound workload, ${plan.rounds} of the throw-heavy one, ${plan.startupRounds} of hello world ...`);
  let done = 0;
  const total = variants.length * (plan.cpuRounds + plan.rounds + plan.startupRounds);
  const { samples, failures } = await overhead(variants, env, {
    rounds: plan.rounds,
    cpuRounds: plan.cpuRounds,
    startupRounds: plan.startupRounds,
    iterations: plan.iterations,
    onProgress: () => { done++; if (done % variants.length === 0) log(`   ${done}/${total} runs`); },
  });
  for (const f of failures) report.problem(`3. overhead: ${f}`);
  const sections = [
    ['cpu', '3. overhead: CPU-bound workload (wall time of the work)', 1.03, '≤ 3 %'],
    ['throws', `3. overhead: throw-heavy workload, ${Math.round(200 * plan.iterations)}k caught exceptions (wall time of the work)`, 1.10, '≤ 10 %'],
    ['startup', '3. overhead: startup, hello world (spawn → exit)', null, '≤ +120 ms'],
  ];
  for (const [key, measure, limit, want] of sections) {
    const ecNoB = p50(samples[key].ecNoBoundaries);
    const today = p50(samples[key].ec);
    for (const v of variants) {
      const base = p50(samples[key][v.base ?? 'node']);
      const s = summary(samples[key][v.id]);
      const row = { measure, tool: v.label, engine: v.engine, stats: s, p95: false };
      if (isBaseline(v)) row.vsBase = 'baseline';
      else row.vsBase = key === 'startup' ? signedMs(s.median - base) : `${ratio(s.median, base)} ${v.base ? 'node 26' : 'node'}`;
      if (isSwap(v.id)) {
        if (v.base === undefined) row.vsEc = ratio(s.median, today);
        // issue 11: the dispatch costs ≤ 3 % on CPU-bound work; throws and startup no worse than the
        // LiveEdit engine's (5 % for noise), each against the plain node of its own line: on the
        // stand-in, its cost over plain node 26 against LiveEdit's over plain node (the startup: in ms)
        // the stand-in against LiveEdit on node 26 when it ran (the same line), else on the target node
        const [liveRuns, liveBaseRuns] = v.base === 'nodeNoLive' && samples[key].ecLive26?.length ? [samples[key].ecLive26, samples[key].node26] : [samples[key].ec, samples[key].node];
        const runs = [samples[key][v.id], samples[key][v.base ?? 'node'], liveRuns, liveBaseRuns];
        const own = key === 'startup' ? s.median - base : s.median / base;
        const live = key === 'startup' ? p50(liveRuns) - p50(liveBaseRuns) : p50(liveRuns) / p50(liveBaseRuns);
        row.target = key === 'cpu' ? '≤ 3 %' : "≤ the LiveEdit engine's cost (+5 %)";
        row.result = key === 'cpu'
          ? cpuTarget(report, `${v.label}: CPU-bound overhead (≤ 3 %)`, samples.cpu[v.id], samples.cpu[v.base ?? 'node'])
          : againstLiveEdit(report, `${v.label}: ${key} (≤ the LiveEdit engine's cost, +5 %)`, runs, key === 'startup' ? 'ms' : 'ratio',
            key === 'startup' ? `${signedMs(own)} against LiveEdit's ${signedMs(live)}` : `${ratio(s.median, base)} its node against LiveEdit's ${live.toFixed(2)}×`);
      }
      if (v.id === 'ec') {
        row.target = want;
        if (key === 'startup') {
          row.result = report.target(`startup overhead (${want})`, Number.isFinite(s.median) ? s.median - base <= 120 : null, signedMs(s.median - base));
        } else if (key === 'cpu') {
          row.result = cpuTarget(report, `CPU-bound overhead (${want})`, samples.cpu.ec, samples.cpu.node);
        } else {
          row.result = report.target(`throw-heavy overhead (${want})`, Number.isFinite(s.median) ? s.median / base <= limit : null,
            `${((s.median / base - 1) * 100).toFixed(1)} %`);
        }
        row.notes = key === 'startup'
          ? `boundaries: ${signedMs(s.median - ecNoB)} (vs --no-boundaries)`
          : `boundaries alone: ${ratio(s.median, ecNoB)} of --no-boundaries`;
      }
      if (v.id === 'floorAttached') row.notes = 'node under the inspector with the same exception pauses, no controller work: what any debugger-based tool pays';
      // the steady rounds apart: the first few rounds are the JIT's warm-up, whose spread between
      // runs is larger than a 3 % target (bench/ANALYSIS.md, the CPU-bound miss)
      if (key === 'cpu' && samples.cpuRound[v.id]?.length) {
        const round = p50(samples.cpuRound[v.id]);
        const baseRound = p50(samples.cpuRound[v.base ?? 'node']);
        const steady = `median round ${round.toFixed(1)} ms${isBaseline(v) ? '' : ` (${ratio(round, baseRound)})`}`;
        row.notes = row.notes ? `${row.notes}; ${steady}` : steady;
      }
      report.add(row);
    }
  }
}

/**
 * The CPU-bound target (≤ 3 %) is finer than the spread of this workload's runs on a 2-core machine
 * (10 % and more between runs of one variant): judged on the interval of the ratio of medians, so that
 * a difference the runs cannot tell from noise is said to be that (bench/ANALYSIS.md, "The CPU-bound
 * target and the noise").
 */
function cpuTarget(report, what, runs, baseRuns) {
  const median = p50(runs) / p50(baseRuns);
  return report.targetInterval(what, { median, ...ratioInterval(runs, baseRuns) }, 1.03, `${((median - 1) * 100).toFixed(1)} %`);
}

/**
 * A swap row's "no dearer than LiveEdit (+5 %)": its cost over its plain node against LiveEdit's over
 * its own (`runs`: the swap runs, their plain node's, LiveEdit's, its plain node's), as a ratio of the
 * two costs (`ms`: differences, for a start; `ratio`: ratios), judged on its bootstrap interval as the
 * CPU-bound target is (cpuTarget): two engines within 5 % of each other is finer than the spread of
 * 7 to 10 runs.
 */
function againstLiveEdit(report, what, runs, unit, detail) {
  const cost = unit === 'ms' ? (m, b) => m - b : (m, b) => m / b;
  const statistic = ([own, ownBase, live, liveBase]) => cost(own, ownBase) / cost(live, liveBase);
  const median = statistic(runs.map(p50));
  return report.targetInterval(what, { median, ...bootstrapInterval(runs, statistic) }, 1.05, detail);
}

/** 1.38 → "+38 %", 0.95 → "−5 %". */
const signedPct = (r) => { const p = Math.round((r - 1) * 100); return `${p >= 0 ? '+' : '−'}${Math.abs(p)} %`; };

async function part4Scale(ctx) {
  const { plan, report, env, log, tools } = ctx;
  const variants = [
    tools.node,
    ...(ctx.available.nodeCodeCache.ok ? [{ ...tools.nodeCodeCache, primeCache: true }] : []),
    { ...tools.floor, watches: true },
    { ...tools.ec, watches: true, controller: true, primeCache: true },
    { ...tools.ecFirst },
    { ...tools.ecSwap, watches: true, controller: true, primeCache: true },
    { ...tools.ecSwapFirst },
    { ...tools.ecNoBoundaries, controller: true },
    ...(ctx.available.ecNoLive.ok ? [tools.nodeNoLive, ...(ctx.available.ecLive26.ok ? [tools.node26, { ...tools.ecLive26, primeCache: true }] : []), { ...tools.ecNoLive, watches: true, controller: true, primeCache: true }] : []),
  ];
  log(`4. scale: ${plan.modules} modules, ${plan.scaleRounds} round(s) ...`);
  const r = await scale(variants, env, { modules: plan.modules, rounds: plan.scaleRounds, saves: plan.scaleSaves, settleMs: plan.scaleSettleMs });
  for (const m of r.misses) report.problem(`4. scale: ${m}`);
  const measure = `4. scale: startup of a program that loads ${plan.modules} modules (spawn → "loaded")`;
  const today = p50(r.startup.ec);
  for (const v of variants) {
    const base = p50(r.startup[v.base ?? 'node']);
    const s = summary(r.startup[v.id]);
    const row = { measure, tool: v.id === 'floor' ? 'bare CDP attach' : v.label, engine: v.engine, stats: s, p95: false, vsBase: isBaseline(v) ? 'baseline' : `${signedPct(s.median / base)} (${ratio(s.median, base)})` };
    row.notes = `loading took ${ms(p50(r.loadMs[v.id]))} ms inside the program`
      + (v.id === 'nodeCodeCache' ? "; a second start (an untimed first start filled node's compile cache, which edit-continue turns on for the program on node 22+)"
        : v.primeCache ? '; a second start (an untimed first start filled the cache of transformed texts and, on node 22+, V8\'s code cache)' : '');
    if (isSwap(v.id)) {
      // against the plain node of its own line (the stand-in is node 26 behind a wrapper)
      const own = s.median / base;
      // the stand-in against LiveEdit on node 26 when it ran (the same line), else on the target node
      const [liveRuns, liveBaseRuns] = v.base === 'nodeNoLive' && r.startup.ecLive26?.length ? [r.startup.ecLive26, r.startup.node26] : [r.startup.ec, r.startup.node];
      const live = p50(liveRuns) / p50(liveBaseRuns);
      if (v.base === undefined) row.vsEc = ratio(s.median, today);
      row.target = "≤ the LiveEdit engine's (+5 %)";
      row.result = againstLiveEdit(report, `${v.label}: startup with ${plan.modules} modules (no slower than today's boundaries, +5 %)`, [r.startup[v.id], r.startup[v.base ?? 'node'], liveRuns, liveBaseRuns], 'ratio', `${own.toFixed(2)}× its node against LiveEdit's ${live.toFixed(2)}×`);
    }
    if (v.id === 'ec') {
      row.target = '≤ +25 %';
      row.result = report.target(`startup with ${plan.modules} modules (≤ +25 %)`, Number.isFinite(s.median) ? s.median <= 1.25 * base : null, `+${((s.median / base - 1) * 100).toFixed(0)} %`);
    }
    report.add(row);
  }
  const rssMeasure = `4. scale: controller peak RSS with ${plan.modules} modules loaded`;
  for (const v of variants.filter((x) => x.controller)) {
    const s = summary(r.rssMb[v.id]);
    const row = { measure: rssMeasure, tool: v.label, engine: v.engine, stats: s, unit: 'MB', p95: false };
    if (v.id === 'ec') {
      row.target = '≤ 150 MB';
      row.result = report.target(`controller peak RSS with ${plan.modules} modules (≤ 150 MB)`, Number.isFinite(s.median) ? s.max <= 150 : null, `${ms(s.max)} MB at most`);
      row.notes = 'after startup and the saves below';
    }
    report.add(row);
  }
  const liveMeasure = `4. scale: save → live of one module in that program (${plan.scaleSaves} saves)`;
  const floorLive = p50(r.live.floor);
  for (const v of variants.filter((x) => x.watches)) {
    const s = summary(r.live[v.id]);
    const row = { measure: liveMeasure, tool: v.label, engine: v.engine, stats: s, vsBase: v.id === 'floor' ? 'baseline' : `${ratio(s.median, floorLive)} floor` };
    if (v.id === 'ec') {
      row.target = '≤ 1.25× floor';
      row.result = report.target(`save → live with ${plan.modules} modules (≤ 1.25× floor)`, Number.isFinite(s.median) ? s.median <= 1.25 * floorLive : null, `${ratio(s.median, floorLive)} the floor's ${ms(floorLive)} ms`);
    }
    report.add(row);
  }
}

module.exports = { part1SaveToLive, part2BackToState, part3Overhead, part4Scale };
