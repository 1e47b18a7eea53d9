/** `mlops-gitops` as a user runs it: help, usage errors, human and JSON output, exit codes. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithKubectl, WORKSPACE_ROOT } from './support/workspace';

const CLI = join(WORKSPACE_ROOT, 'packages/gitops/bin/mlops-gitops.js');
const FIXTURES = join(WORKSPACE_ROOT, 'packages/gitops/fixtures');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: FIXTURES, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('mlops-gitops usage', () => {
  it('prints help with exit 0', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: mlops-gitops validate [dir]');
    expect(r.stdout).toContain('--format <format>');
  });

  it('refuses an unknown format, quoting it and the allowed ones, with exit 2', () => {
    const r = cli(['validate', 'valid/layout', '--format', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Format 'xml' is not allowed; must be one of: human, json, sarif.");
  });

  it('refuses a directory that does not exist with exit 2', () => {
    const r = cli(['validate', 'no-such-dir']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Directory 'no-such-dir' does not exist");
  });

  it('says what to run when the plugin is not built yet', () => {
    const copy = mkdtempSync(join(tmpdir(), 'gitops-bin-'));
    try {
      mkdirSync(join(copy, 'bin'));
      copyFileSync(CLI, join(copy, 'bin/mlops-gitops.js'));
      const r = spawnSync(process.execPath, [join(copy, 'bin/mlops-gitops.js'), 'validate'], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('the plugin is not built yet (packages/gitops/dist is missing); run `npm run build`');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('refuses an unknown command and option', () => {
    expect(cli(['lint']).stderr).toContain("Command 'lint' is not known; must be one of: validate, preview.");
    expect(cli(['validate', '--strict']).status).toBe(2);
  });
});

describeWithKubectl('cli.spec')('mlops-gitops validate', () => {
  it('groups human output by file with rule, position and hint, and exits 1 on errors', () => {
    const r = cli(['validate', 'broken/schema-unknown-field']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^apps\/podinfo\/helmrelease\.yaml$/m);
    expect(r.stdout).toContain(
      "apps/podinfo/helmrelease.yaml:8  error  schema-unknown-field  HelmRelease 'apps/podinfo' has unknown field 'spec.valuez'.",
    );
    expect(r.stdout).toContain('hint:');
    expect(r.stdout).toMatch(/✖ 1 error in 1 file/);
  });

  it('writes a versioned JSON report', () => {
    const r = cli(['validate', 'broken/plaintext-secret', '--format', 'json']);
    const report = JSON.parse(r.stdout);
    expect(report.version).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({
        rule: 'plaintext-secret',
        file: 'apps/podinfo/secret.yaml',
        line: 1,
        severity: 'error',
        resource: 'Secret/apps/podinfo-token',
      }),
    ]);
    expect(report.stats).toEqual(expect.objectContaining({ targets: 1, renders: 1, documents: 3 }));
  });

  it('writes SARIF 2.1.0 for code scanning: the finding at the patch line that holds it', () => {
    const r = cli(['validate', 'broken/schema-unknown-field-overlay-patch', '--format', 'sarif']);
    expect(r.status).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([
      expect.objectContaining({
        ruleId: 'schema-unknown-field',
        level: 'error',
        locations: [
          expect.objectContaining({
            physicalLocation: {
              artifactLocation: { uri: 'apps/podinfo/staging/helmrelease-patch.yaml', uriBaseId: '%SRCROOT%' },
              region: { startLine: 9 },
            },
          }),
        ],
      }),
    ]);
  });

  it('says in the JSON statistics what it did not check and why, and how long each stage took', () => {
    const report = JSON.parse(cli(['validate', 'broken/render-remote', '--format', 'json']).stdout);
    expect(report.stats.skipped).toEqual([
      { path: 'apps/argocd', reason: 'remote-resource', detail: 'https://github.com/argoproj/argo-cd//manifests/cluster-install?ref=v3.1.0' },
    ]);
    expect(Object.keys(report.stats.stages)).toEqual(expect.arrayContaining(['plan', 'render', 'load', 'schema', 'references', 'policy']));
  });

  it('picks the gitops layout when gitops/platform.yaml exists, and any layout otherwise', () => {
    expect(cli(['validate', 'broken/layer-violation']).stdout).toContain(
      "'redis-operator' (layer platform-operators, order 1) must not depend on 'airflow' (layer orchestration, order 3)",
    );
    expect(cli(['validate', 'broken/layer-violation', '--layout', 'any']).stdout).not.toContain('layer-violation');
  });

  it('checks the folders of gitops/ outside components/ and clusters/ too: a plaintext Secret there fails', () => {
    const r = cli(['validate', 'broken/plaintext-secret-outside-components']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "gitops/extra/secret.yaml:2  error  plaintext-secret  Secret 'orchestration/registry-token' is committed in plain text.",
    );
  });

  it('says clearly that kustomize is missing instead of passing', () => {
    const r = cli(['validate', 'valid/unusual', '--kubectl', 'kubectl-that-does-not-exist']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("kustomize-missing  Cannot render kustomizations: 'kubectl-that-does-not-exist' was not found on PATH");
  });
});
