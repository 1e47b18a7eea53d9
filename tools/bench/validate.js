#!/usr/bin/env node
/**
 * Validation benchmark (issue 3), every figure measured in this one run:
 *
 *  (a) whole tree, N components x 3 environments (median of three runs):
 *      `nx run-many -t validate --skip-nx-cache` (the plugin's batch executor: one engine
 *      process for all tasks) with the render memo OFF (MLOPS_GITOPS_RENDER_CACHE=off), so
 *      every kustomization is rendered: a cold run. Against Flux's example-repository approach
 *      (tools/bench/flux-baseline.js: one `kubectl kustomize` per kustomization directory,
 *      then a schema check of its output);
 *  (b) `nx affected -t validate` after a one-file change (an overlay value of a component
 *      nothing depends on; median of three such changes, each committed), with the Nx cache
 *      and the render memo warmed by one `nx run-many -t validate`, against
 *      `nx show projects` (median of 3);
 *  (c) where the engine's time goes: the built CLI on the same tree with `--format json`
 *      (no cache), whose statistics carry the wall time of each stage;
 *  at two sizes, to show how each grows with the tree.
 *
 * Each size gets a fresh temporary workspace (Nx cache inside it, daemon off). The render memo
 * of (b) lives in a temporary folder outside the workspace (so it is not an untracked change
 * `nx affected` would look at) and is removed afterwards.
 *
 *   npm run build && node tools/bench/validate.js [small=100] [large=300]
 */
const { join } = require('node:path');
const { appendFileSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { createBenchWorkspace } = require('./synthetic-tree');
const { runFluxBaseline } = require('./flux-baseline');
// The engine's stage names, in order (validation/types.ts): the table follows the engine.
const { STAGES } = require(join(__dirname, '../../packages/gitops/dist/validation/types.js'));

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

/** Measures one tree size; `baseline: false` skips the Flux baseline (about 2 minutes at 300 x 3). */
async function measure(components, { baseline = true } = {}) {
  const ws = createBenchWorkspace({ components });
  const memo = mkdtempSync(join(tmpdir(), 'gitops-bench-memo-'));
  const cold = { NX_CACHE_DIRECTORY: join(ws.root, '.nx/bench-cache'), MLOPS_GITOPS_RENDER_CACHE: 'off' };
  const warm = { ...cold, MLOPS_GITOPS_RENDER_CACHE: memo };
  try {
    ws.nx(['show', 'projects'], cold); // first graph computation writes Nx's workspace data; not measured
    // Three whole-tree runs, the median counts (one run of about 10 s swings by a second on a shared machine;
    // the baseline's 1,200 sequential builds average that out on their own).
    const fullRuns = [0, 1, 2].map(() => timed(() => ws.nx(['run-many', '-t', 'validate', '--skip-nx-cache', '--output-style=static'], cold)));
    const full = fullRuns.find((r) => r.ms === median(fullRuns.map((x) => x.ms)));
    const base = baseline ? await timedAsync(() => runFluxBaseline(join(ws.root, 'gitops'))) : undefined;
    const engine = engineStages(ws);

    ws.nx(['run-many', '-t', 'validate'], warm); // warms the Nx cache and the render memo
    const leaf = leafOf(ws.plan);
    const values = join(ws.root, 'gitops/components', leaf.layer.name, leaf.name, 'overlays/staging/values.yaml');
    // Three one-file changes, each committed and validated with `nx affected`; the median counts.
    const affectedRuns = [0, 1, 2].map((i) => {
      appendFileSync(values, `podAnnotations${i}: {bench: changed}\n`);
      ws.git('commit', '-qam', `one-file change ${i}`);
      return timed(() => ws.nx(['affected', '-t', 'validate', '--base=HEAD~1', '--output-style=static'], warm));
    });
    const affected = affectedRuns.find((r) => r.ms === median(affectedRuns.map((x) => x.ms)));
    const tasks = [...affected.value.matchAll(/^> nx run (\S+):validate(.*)$/gm)];
    const replayed = tasks.filter((m) => /cache|left as is/.test(m[2])).length;
    const show = median([0, 1, 2].map(() => timed(() => ws.nx(['show', 'projects'], warm)).ms));
    return {
      components,
      projects: components + 3,
      fullMs: full.ms,
      baselineMs: base?.ms,
      baselineDirs: base?.value.dirs,
      baselineFailures: base?.value.failures.length,
      affectedMs: affected.ms,
      affectedTasks: tasks.length,
      affectedReplayed: replayed,
      showMs: show,
      engineMs: engine.durationMs,
      stages: engine.stages,
      renders: engine.renders,
    };
  } finally {
    ws.remove();
    rmSync(memo, { recursive: true, force: true });
  }
}

/** One engine run through the built CLI (no cache): its duration, kustomize processes and wall time per stage. */
function engineStages(ws) {
  const cli = join(ws.root, 'node_modules/@mlops/gitops/dist/cli/main.js');
  const report = JSON.parse(ws.run(process.execPath, [cli, 'validate', ws.root, '--format', 'json']));
  return report.stats;
}

const ms = (n) => (n === undefined ? 'n/a' : `${Math.round(n)} ms`);

function table(rows) {
  const lines = [
    '| tree | nx run-many -t validate --skip-nx-cache (memo off) | Flux baseline (kustomize dirs) | speed-up | nx affected -t validate (tasks) | nx show projects | affected / show |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const speedUp = r.baselineMs === undefined ? 'n/a' : `${(r.baselineMs / r.fullMs).toFixed(1)}x`;
    lines.push(
      `| ${r.components} x 3 | ${ms(r.fullMs)} | ${ms(r.baselineMs)} (${r.baselineDirs ?? 'n/a'}) | ${speedUp} | ${ms(r.affectedMs)} (${r.affectedTasks}, ${r.affectedReplayed} from cache) | ${ms(r.showMs)} | ${(r.affectedMs / r.showMs).toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** Where the engine's time goes (wall clock per stage; load and drift overlap render: they run while kustomize does). */
function stagesTable(rows) {
  const names = STAGES;
  const lines = [`| tree | engine (CLI) | kustomize processes | ${names.join(' | ')} |`, `|---|---|---|${names.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.components} x 3 | ${ms(r.engineMs)} | ${r.renders} | ${names.map((n) => ms(r.stages?.[n])).join(' | ')} |`);
  return lines.join('\n');
}

/** Growth between the two sizes: the full run should grow like the tree, the affected run like `nx show projects`. */
function growth([a, b]) {
  return {
    tree: b.components / a.components,
    full: b.fullMs / a.fullMs,
    baseline: a.baselineMs && b.baselineMs ? b.baselineMs / a.baselineMs : undefined,
    affected: b.affectedMs / a.affectedMs,
    show: b.showMs / a.showMs,
  };
}

async function benchValidate({ small = 100, large = 300, baselineSmall = true } = {}) {
  const rows = [];
  for (const n of [small, large]) {
    process.stderr.write(`validate: measuring ${n} components x 3 environments ...\n`);
    rows.push(await measure(n, { baseline: n === large || baselineSmall }));
  }
  return { rows, growth: growth(rows) };
}

module.exports = { benchValidate, table, stagesTable };

if (require.main === module) {
  const [small = 100, large = 300] = process.argv.slice(2).map(Number);
  benchValidate({ small, large })
    .then(({ rows, growth: g }) => {
      const b = rows[1];
      console.log(table(rows));
      console.log('');
      console.log(stagesTable(rows));
      console.log('');
      console.log(
        `targets at ${b.components} x 3: speed-up >= 30x (${(b.baselineMs / b.fullMs).toFixed(1)}x); affected / show <= 2 (${(b.affectedMs / b.showMs).toFixed(2)})`,
      );
      console.log(
        `growth ${rows[0].components} -> ${b.components} components (x${g.tree.toFixed(1)} tree): full run x${g.full.toFixed(2)}${g.baseline ? ` (baseline x${g.baseline.toFixed(2)})` : ''}; affected x${g.affected.toFixed(2)} (nx show projects x${g.show.toFixed(2)})`,
      );
      if (rows.some((r) => r.baselineFailures))
        console.log(`note: the baseline reported failures: ${rows.map((r) => r.baselineFailures).join(', ')}`);
      console.log(JSON.stringify({ rows, growth: g }));
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
