#!/usr/bin/env node
/**
 * Validation benchmark (issue 3), every figure measured in this one run:
 *
 *  (a) whole tree, N components x 3 environments:
 *      `nx run-many -t validate --skip-nx-cache` (the plugin's batch executor: one engine
 *      process for all tasks) against Flux's example-repository approach
 *      (tools/bench/flux-baseline.js: one `kubectl kustomize` per kustomization directory,
 *      then a schema check of its output); at two sizes to show linear growth;
 *  (b) `nx affected -t validate` after a one-file change (cache warm) against `nx show projects`,
 *      at the same two sizes to show it stays flat.
 *
 *   npm run build && node tools/bench/validate.js [small=100] [large=300]
 *
 * Nx runs with the daemon off and a cache directory inside the temporary workspace.
 */
const { join } = require('node:path');
const { appendFileSync } = require('node:fs');
const { createBenchWorkspace } = require('./synthetic-tree');
const { runFluxBaseline } = require('./flux-baseline');

function timed(fn) {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function timedAsync(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A component nothing depends on: a change to it affects itself and the environments only. */
function leafOf(plan) {
  return plan.find((c) => !plan.some((o) => o.dependsOn.includes(c.name)));
}

async function measure(components) {
  const ws = createBenchWorkspace({ components });
  const env = { NX_CACHE_DIRECTORY: join(ws.root, '.nx/bench-cache') };
  try {
    ws.nx(['show', 'projects'], env); // first graph computation writes Nx's workspace data; not measured
    const full = timed(() => ws.nx(['run-many', '-t', 'validate', '--skip-nx-cache', '--output-style=static'], env));
    const baseline = await timedAsync(() => runFluxBaseline(join(ws.root, 'gitops')));

    ws.nx(['run-many', '-t', 'validate'], env); // warm the cache
    const leaf = leafOf(ws.plan);
    appendFileSync(join(ws.root, 'gitops/components', leaf.layer.name, leaf.name, 'overlays/staging/values.yaml'), 'podAnnotations: {bench: changed}\n');
    ws.git('commit', '-qam', 'one-file change');
    const affected = timed(() => ws.nx(['affected', '-t', 'validate', '--base=HEAD~1', '--output-style=static'], env));
    const ran = [...affected.value.matchAll(/^> nx run (\S+):validate/gm)].map((m) => m[1]);
    const show = median([0, 1, 2].map(() => timed(() => ws.nx(['show', 'projects'], env)).ms));
    return {
      components,
      projects: components + 3,
      fullMs: full.ms,
      baselineMs: baseline.ms,
      baselineDirs: baseline.value.dirs,
      baselineFailures: baseline.value.failures.length,
      affectedMs: affected.ms,
      affectedTasks: ran.length,
      showMs: show,
    };
  } finally {
    ws.remove();
  }
}

function table(rows) {
  const fmt = (n) => `${Math.round(n)} ms`;
  const lines = [
    '| tree | nx run-many -t validate --skip-nx-cache | Flux baseline (kustomize dirs) | speed-up | nx affected -t validate (tasks) | nx show projects | affected / show |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.components} x 3 | ${fmt(r.fullMs)} | ${fmt(r.baselineMs)} (${r.baselineDirs}) | ${(r.baselineMs / r.fullMs).toFixed(1)}x | ${fmt(r.affectedMs)} (${r.affectedTasks}) | ${fmt(r.showMs)} | ${(r.affectedMs / r.showMs).toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const [small = 100, large = 300] = process.argv.slice(2).map(Number);
  const rows = [];
  for (const n of [small, large]) {
    process.stderr.write(`measuring ${n} components x 3 environments ...\n`);
    rows.push(await measure(n));
  }
  const [a, b] = rows;
  console.log(table(rows));
  console.log('');
  console.log(`targets: speed-up >= 10x at ${b.components} x 3; affected / show <= 2`);
  console.log(`full run growth ${a.components} -> ${b.components} components (x${(b.components / a.components).toFixed(1)} tree): x${(b.fullMs / a.fullMs).toFixed(2)} time (baseline x${(b.baselineMs / a.baselineMs).toFixed(2)})`);
  console.log(`affected run growth over the same step: x${(b.affectedMs / a.affectedMs).toFixed(2)} (nx show projects x${(b.showMs / a.showMs).toFixed(2)})`);
  if (rows.some((r) => r.baselineFailures)) console.log(`note: the baseline reported failures: ${rows.map((r) => r.baselineFailures).join(', ')}`);
  console.log(JSON.stringify({ rows }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
