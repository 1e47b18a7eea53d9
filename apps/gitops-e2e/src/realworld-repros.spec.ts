/**
 * The reproductions of what public Flux and Argo CD trees contain (`../shared/realworld-repros/`
 * beside the workspace, its README says what each must give), through the built CLI. Only the
 * reproductions of false alarms and misses this suite owns are asserted here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl, WORKSPACE_ROOT } from './support/workspace';

const CLI = join(WORKSPACE_ROOT, 'packages/gitops/dist/cli/main.js');
const REPROS = join(WORKSPACE_ROOT, '../shared/realworld-repros');

interface Finding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  message: string;
  hint?: string;
}

interface Run {
  status: number;
  stderr: string;
  findings: Finding[];
  stats: { files: number; skipped: { path: string; reason: string }[] };
}

function validate(repro: string): Run {
  const r = spawnSync(process.execPath, [CLI, 'validate', join(REPROS, repro), '--format', 'json'], { encoding: 'utf8' });
  const report = JSON.parse(r.stdout) as Omit<Run, 'status' | 'stderr'>;
  return { status: r.status ?? -1, stderr: r.stderr, ...report };
}

const errors = (run: Run) => run.findings.filter((f) => f.severity === 'error');
const rules = (run: Run) => run.findings.map((f) => f.rule);

const present = existsSync(join(REPROS, 'README.md'));
if (!present) console.warn(`realworld-repros: ${REPROS} does not exist, so the reproductions are skipped.`);
if (!hasKubectl()) console.warn('realworld-repros: kubectl is not on PATH, so the reproductions are skipped (CI requires kubectl).');

(present && hasKubectl() ? describe : describe.skip)('the real-world reproductions (../shared/realworld-repros)', () => {
  it('helm-chart-dir: exit 0, the chart folder reported as skipped, its templates never parsed', () => {
    const run = validate('helm-chart-dir');
    expect(run.status).toBe(0);
    expect(run.stats.skipped).toEqual([{ path: '.', reason: 'helm-chart' }]);
    expect(run.stats.files).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('postbuild-defaults: exit 0, the objects checked after substitution', () => {
    const run = validate('postbuild-defaults');
    expect(errors(run)).toEqual([]);
    expect(run.status).toBe(0);
  });

  it('parent-patches: exit 0, the child checked as Flux applies it, after the parent patches', () => {
    const run = validate('parent-patches');
    expect(errors(run)).toEqual([]);
    expect(run.status).toBe(0);
  });

  it('secret-generator-wrapped: no schema error on the wrapped base64 data', () => {
    const run = validate('secret-generator-wrapped');
    expect(run.findings.filter((f) => f.rule.startsWith('schema-'))).toEqual([]);
    expect(run.findings.map((f) => f.message).join('\n')).not.toContain('format "byte"');
  });

  it('sops-secret: no plaintext finding and no schema error on the encrypted values', () => {
    const run = validate('sops-secret');
    expect(rules(run)).not.toContain('plaintext-secret');
    expect(run.findings.filter((f) => f.rule.startsWith('schema-'))).toEqual([]);
  });

  it('image-repository: no latest finding for an ImageRepository', () => {
    expect(rules(validate('image-repository'))).not.toContain('image-latest');
  });

  it('alert-fluxinstance: an Alert watching FluxInstance is no error', () => {
    const run = validate('alert-fluxinstance');
    expect(errors(run)).toEqual([]);
    expect(run.status).toBe(0);
  });

  it('oci-source-path: the path inside an OCI artifact is not a ref-path error', () => {
    expect(rules(validate('oci-source-path'))).not.toContain('ref-path');
  });

  it('deprecated-apis: one finding per object naming its replacement, the removed Kubernetes APIs as errors', () => {
    const run = validate('deprecated-apis');
    const deprecated = run.findings.filter((f) => f.rule === 'deprecated-api');
    expect(deprecated.map((f) => [f.line, f.hint?.split(' (')[0]])).toEqual([
      [1, 'Use image.toolkit.fluxcd.io/v1'],
      [13, 'Use image.toolkit.fluxcd.io/v1'],
      [25, 'Use flowcontrol.apiserver.k8s.io/v1'],
      [32, 'Use discovery.k8s.io/v1'],
      [39, 'Use node.k8s.io/v1'],
      [45, 'Use helm.toolkit.fluxcd.io/v2'],
    ]);
    for (const line of [25, 32, 39]) expect(deprecated.find((f) => f.line === line)?.severity).toBe('error');
  });

  it('interval-typo: an error at the interval line, not a Flux duration', () => {
    const run = validate('interval-typo');
    expect(errors(run)).toEqual([
      expect.objectContaining({ file: 'release.yaml', line: 7, message: expect.stringContaining('"fifty": not a Flux duration') }),
    ]);
    expect(run.status).toBe(1);
  });
});
