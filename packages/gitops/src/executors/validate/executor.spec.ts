import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import type { Finding, RuleId, ValidateRequest, ValidationReport } from '../../validation/types';

const validate = jest.fn<Promise<ValidationReport>, [ValidateRequest]>();
jest.mock('../../validation/engine', () => ({
  validate: (req: ValidateRequest) => validate(req),
  hasErrors: (r: ValidationReport) => r.findings.some((f) => f.severity === 'error'),
  formatReport: (r: ValidationReport, format: string) =>
    format === 'sarif'
      ? jest.requireActual('../../validation/report').formatReport(r, 'sarif')
      : format === 'json'
        ? JSON.stringify(r)
        : r.findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`).join('\n') || 'no findings',
}));

import runBatch from './batch';
import validateExecutor from './executor';

const ROOTS: Record<string, string> = {
  airflow: 'gitops/components/orchestration/airflow',
  'redis-operator': 'gitops/components/platform-operators/redis-operator',
  'env-production': 'gitops/clusters/production',
};

function context(projectName?: string): ExecutorContext {
  const projects = Object.fromEntries(Object.entries(ROOTS).map(([name, root]) => [name, { root }]));
  return {
    root: '/repo',
    cwd: '/repo',
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects },
    nxJsonConfiguration: {},
  } as ExecutorContext;
}

function finding(target: string, severity: Finding['severity'], rule: RuleId): Finding {
  return { target, file: `${target}/component.yaml`, line: 3, rule, severity, message: `${rule} in ${target}` };
}

function report(findings: Finding[]): ValidationReport {
  return {
    version: 1,
    findings,
    stats: { targets: 3, files: 10, renders: 4, documents: 12, schemaChecked: 12, unchecked: 0, durationMs: 5, stages: {}, skipped: [] },
  };
}

function taskGraph(projects: string[]): TaskGraph {
  const tasks = Object.fromEntries(
    projects.map((p) => [
      `${p}:validate`,
      { id: `${p}:validate`, target: { project: p, target: 'validate' }, overrides: {}, outputs: [], parallelism: true },
    ]),
  );
  return { roots: Object.keys(tasks), tasks, dependencies: {}, continuousDependencies: {} } as unknown as TaskGraph;
}

type TaskResults = Record<string, { success: boolean; terminalOutput: string }>;

/** Runs the batch executor and collects the per-task results it yields, as Nx does. */
async function validateBatch(...args: Parameters<typeof runBatch>): Promise<TaskResults> {
  const out: TaskResults = {};
  for await (const { task, result } of (await runBatch(...args)) as AsyncIterable<{ task: string; result: TaskResults[string] }>) out[task] = result;
  return out;
}

let stdout: jest.SpyInstance;
beforeEach(() => {
  validate.mockReset();
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

describe('validate executor', () => {
  it("validates the project's folder and fails when the report has an error", async () => {
    validate.mockResolvedValue(report([finding(ROOTS.airflow, 'error', 'layer-violation')]));

    const result = await validateExecutor({}, context('airflow'));

    expect(validate).toHaveBeenCalledWith({
      root: '/repo',
      targets: [ROOTS.airflow],
      layout: 'gitops',
      cacheDir: '/repo/node_modules/.cache/mlops-gitops',
    });
    expect(result).toEqual({ success: false });
    expect(stdout).toHaveBeenCalledWith(expect.stringContaining('layer-violation in gitops/components/orchestration/airflow'));
  });

  it('passes its exclude patterns to the engine', async () => {
    validate.mockResolvedValue(report([]));
    await validateExecutor({ exclude: ['**/experiments/'] }, context('airflow'));
    expect(validate).toHaveBeenCalledWith(expect.objectContaining({ targets: [ROOTS.airflow], exclude: ['**/experiments/'] }));
  });

  it('succeeds with warnings only and prints the JSON report with --format json', async () => {
    validate.mockResolvedValue(report([finding(ROOTS.airflow, 'warning', 'schema-unchecked')]));

    const result = await validateExecutor({ format: 'json', kubectl: 'kubectl-1.32' }, context('airflow'));

    expect(result).toEqual({ success: true });
    expect(validate).toHaveBeenCalledWith(expect.objectContaining({ kubectl: 'kubectl-1.32' }));
    expect(JSON.parse(String(stdout.mock.calls[0][0])).findings[0].rule).toBe('schema-unchecked');
  });

  it('refuses a project that is not in the workspace, naming it', async () => {
    await expect(validateExecutor({}, context('ghost'))).rejects.toThrow("Project 'ghost' is not in the workspace");
  });
});

describe('validate batch executor', () => {
  it('gives each task its own SARIF report with --format sarif, nothing printed around it', async () => {
    validate.mockResolvedValue(
      report([finding(ROOTS.airflow, 'error', 'ref-depends-on'), finding(ROOTS['env-production'], 'warning', 'schema-unchecked')]),
    );
    const projects = ['airflow', 'env-production'];

    const results = await validateBatch(
      taskGraph(projects),
      Object.fromEntries(projects.map((p) => [`${p}:validate`, { format: 'sarif' as const }])),
      {},
      context(),
    );

    const sarif = JSON.parse(results['airflow:validate'].terminalOutput);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([expect.objectContaining({ ruleId: 'ref-depends-on', level: 'error' })]);
    expect(results['airflow:validate'].success).toBe(false);
    expect(JSON.parse(results['env-production:validate'].terminalOutput).runs[0].results).toEqual([
      expect.objectContaining({ ruleId: 'schema-unchecked', level: 'warning' }),
    ]);
  });

  it('validates all tasks in one engine call and gives each task its own findings and result', async () => {
    validate.mockResolvedValue(
      report([finding(ROOTS.airflow, 'error', 'ref-depends-on'), finding(ROOTS['env-production'], 'warning', 'schema-unchecked')]),
    );
    const projects = ['airflow', 'redis-operator', 'env-production'];

    const results = await validateBatch(taskGraph(projects), Object.fromEntries(projects.map((p) => [`${p}:validate`, {}])), {}, context());

    expect(validate).toHaveBeenCalledTimes(1);
    expect(validate.mock.calls[0][0].targets).toEqual([ROOTS.airflow, ROOTS['redis-operator'], ROOTS['env-production']]);
    expect(results['airflow:validate']).toMatchObject({ success: false, terminalOutput: expect.stringContaining('ref-depends-on') });
    expect(results['airflow:validate'].terminalOutput).not.toContain('schema-unchecked');
    expect(results['redis-operator:validate']).toMatchObject({
      success: true,
      terminalOutput: `${ROOTS['redis-operator']}: validated in one batch of 3 targets (counts below are for the batch)\nno findings`,
    });
    expect(results['env-production:validate']).toMatchObject({ success: true, terminalOutput: expect.stringContaining('schema-unchecked') });
  });

  it('makes one engine call per kubectl when tasks disagree on it', async () => {
    validate.mockResolvedValue(report([]));
    const inputs = {
      'airflow:validate': {},
      'redis-operator:validate': { kubectl: 'kubectl-1.32' },
      'env-production:validate': { format: 'json' as const },
    };

    await validateBatch(taskGraph(['airflow', 'redis-operator', 'env-production']), inputs, {}, context());

    expect(validate.mock.calls.map((c) => [c[0].kubectl, c[0].targets])).toEqual([
      [undefined, [ROOTS.airflow, ROOTS['env-production']]],
      ['kubectl-1.32', [ROOTS['redis-operator']]],
    ]);
  });

  it('makes one engine call per set of exclude patterns', async () => {
    validate.mockResolvedValue(report([]));
    const inputs = {
      'airflow:validate': { exclude: ['drafts/'] },
      'redis-operator:validate': {},
      'env-production:validate': { exclude: ['drafts/'] },
    };

    await validateBatch(taskGraph(['airflow', 'redis-operator', 'env-production']), inputs, {}, context());

    expect(validate.mock.calls.map((c) => [c[0].exclude, c[0].targets])).toEqual([
      [['drafts/'], [ROOTS.airflow, ROOTS['env-production']]],
      [undefined, [ROOTS['redis-operator']]],
    ]);
  });

  it('gives a finding that names no task to the task whose folder holds its file: that task fails in a batch as it fails alone', async () => {
    const stray: Finding = {
      target: '',
      file: `${ROOTS.airflow}/base/helmrelease.yaml`,
      line: 7,
      rule: 'schema-invalid',
      severity: 'error',
      message: 'spec.interval must be a string',
    };
    validate.mockResolvedValue(report([stray]));
    const projects = ['airflow', 'redis-operator'];

    const alone = await validateExecutor({}, context('airflow'));
    const batch = await validateBatch(taskGraph(projects), Object.fromEntries(projects.map((p) => [`${p}:validate`, {}])), {}, context());

    expect(alone).toEqual({ success: false });
    expect(batch['airflow:validate']).toMatchObject({
      success: false,
      terminalOutput: expect.stringContaining(`${ROOTS.airflow}/base/helmrelease.yaml:7 schema-invalid`),
    });
    expect(batch['redis-operator:validate']).toMatchObject({ success: true });
  });

  it('gives a finding in a file outside every task folder (platform.yaml) to every task of the batch', async () => {
    const platform: Finding = {
      target: 'gitops',
      file: 'gitops/platform.yaml',
      line: 1,
      rule: 'config-invalid',
      severity: 'error',
      message: 'layers must be a list',
    };
    validate.mockResolvedValue(report([platform]));
    const projects = ['airflow', 'redis-operator', 'env-production'];

    const alone = await Promise.all(projects.map((p) => validateExecutor({}, context(p))));
    const batch = await validateBatch(taskGraph(projects), Object.fromEntries(projects.map((p) => [`${p}:validate`, {}])), {}, context());

    expect(alone.map((r) => r.success)).toEqual([false, false, false]);
    expect(projects.map((p) => batch[`${p}:validate`].success)).toEqual([false, false, false]);
    for (const p of projects) expect(batch[`${p}:validate`].terminalOutput).toContain('gitops/platform.yaml:1 config-invalid layers must be a list');
  });

  it('fails every task with the reason when the engine cannot run', async () => {
    validate.mockRejectedValue(new Error('kubectl not found on PATH'));

    const results = await validateBatch(taskGraph(['airflow']), { 'airflow:validate': {} }, {}, context());

    expect(results['airflow:validate']).toMatchObject({ success: false, terminalOutput: 'Validation could not run: kubectl not found on PATH' });
  });
});
