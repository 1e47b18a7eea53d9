import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatHuman, formatJson, formatReport, hasErrors } from './report';
import { Finding, ValidationReport } from './types';

const STATS = {
  targets: 2,
  files: 7,
  renders: 1,
  documents: 5,
  schemaChecked: 4,
  unchecked: 1,
  durationMs: 42,
  stages: {},
  skipped: [],
};

function report(findings: Finding[]): ValidationReport {
  return { version: 1, findings, stats: STATS };
}

const finding = (f: Partial<Finding>): Finding => ({
  target: 't',
  file: 'a.yaml',
  line: 1,
  rule: 'yaml-syntax',
  severity: 'error',
  message: 'm.',
  ...f,
});

describe('stage 8, report', () => {
  const findings = [
    finding({
      file: 'b/helmrelease.yaml',
      line: 8,
      column: 5,
      rule: 'schema-unknown-field',
      message: "HelmRelease 'x' has unknown field 'spec.valuez'.",
      hint: 'check the spelling',
    }),
    finding({
      file: 'a/kafka.yaml',
      line: 1,
      rule: 'schema-unchecked',
      severity: 'warning',
      message: "Kafka 'k' has no known schema.",
    }),
    finding({
      file: 'b/helmrelease.yaml',
      line: 3,
      rule: 'deprecated-api',
      message: "HelmRelease 'x' uses deprecated apiVersion 'v2beta1'.",
      hint: 'Use helm.toolkit.fluxcd.io/v2.',
    }),
  ];

  it('groups findings by file, in line order, each with position, severity, rule id and hint', () => {
    expect(formatHuman(report(findings))).toBe(
      [
        'a/kafka.yaml',
        "  a/kafka.yaml:1  warning  schema-unchecked  Kafka 'k' has no known schema.",
        '',
        'b/helmrelease.yaml',
        "  b/helmrelease.yaml:3  error  deprecated-api  HelmRelease 'x' uses deprecated apiVersion 'v2beta1'.",
        '      hint: Use helm.toolkit.fluxcd.io/v2.',
        "  b/helmrelease.yaml:8:5  error  schema-unknown-field  HelmRelease 'x' has unknown field 'spec.valuez'.",
        '      hint: check the spelling',
        '',
        '✖ 2 errors in 1 file, 1 warning, 0 info. 2 targets, 7 files, 1 kustomize run, 5 objects (4 schema-checked, 1 unchecked) in 42 ms.',
        '',
      ].join('\n'),
    );
  });

  it('says so when there is no error', () => {
    expect(formatHuman(report([findings[1]]))).toContain('✔ no errors, 1 warning, 0 info.');
    expect(hasErrors(report([findings[1]]))).toBe(false);
    expect(hasErrors(report(findings))).toBe(true);
  });

  it('ends with what the run left out and why', () => {
    const skipped = {
      ...report([]),
      stats: {
        ...STATS,
        skipped: [
          { path: 'charts/web', reason: 'helm-chart' as const },
          { path: 'drafts', reason: 'sourceignore' as const },
        ],
      },
    };
    expect(formatHuman(skipped).trimEnd().split('\n').pop()).toBe('Skipped: charts/web (a Helm chart), drafts (.sourceignore).');
    expect(formatHuman(report([]))).not.toContain('Skipped');
  });

  it('writes a versioned JSON report with every finding and the counts', () => {
    const parsed = JSON.parse(formatJson(report(findings)));
    expect(parsed.version).toBe(1);
    expect(parsed.stats).toEqual(STATS);
    expect(parsed.findings).toHaveLength(3);
    expect(parsed.findings[0]).toEqual({
      target: 't',
      file: 'b/helmrelease.yaml',
      line: 8,
      column: 5,
      rule: 'schema-unknown-field',
      severity: 'error',
      message: "HelmRelease 'x' has unknown field 'spec.valuez'.",
      hint: 'check the spelling',
    });
  });

  it('indents the later lines of a multi-line message and says what was not checked, and why', () => {
    const multi = finding({
      file: 'base/kustomization.yaml',
      line: 5,
      rule: 'render-failed',
      message: "kustomize build of base failed: accumulating resources:\nmissing 'x.yaml'.",
    });
    const skipped = [
      {
        path: 'apps/remote',
        reason: 'remote-resource' as const,
        detail: 'https://example.com/x',
      },
      { path: 'charts/web', reason: 'helm-chart' as const },
    ];
    const text = formatHuman({
      version: 1,
      findings: [multi],
      stats: { ...STATS, skipped },
    });
    expect(text).toContain(
      "  base/kustomization.yaml:5  error  render-failed  kustomize build of base failed: accumulating resources:\n        missing 'x.yaml'.\n",
    );
    expect(text.trimEnd().split('\n').pop()).toBe(
      'Skipped: apps/remote (names remote resources, which cannot be rendered offline: https://example.com/x), charts/web (a Helm chart).',
    );
  });
});

/** Golden files of what people and code scanning read; `UPDATE_GOLDEN=1` rewrites them (review the diff). */
describe('stage 8, report formats (golden files)', () => {
  const golden = (name: string, actual: string) => {
    const path = join(__dirname, '__golden__', name);
    if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
    expect(actual).toBe(readFileSync(path, 'utf8'));
  };
  const findings = [
    finding({
      target: 'gitops/components/apps/podinfo',
      file: 'gitops/components/apps/podinfo/overlays/staging/values.yaml',
      line: 8,
      column: 7,
      rule: 'schema-unknown-field',
      message: "HelmRelease 'podinfo' has unknown field 'spec.chart.spec.versoin'.",
      hint: 'check the spelling',
      resource: 'HelmRelease/podinfo/podinfo',
    }),
    finding({
      target: 'gitops/components/apps/podinfo',
      file: 'gitops/components/apps/podinfo/base/kustomization.yaml',
      line: 5,
      rule: 'render-failed',
      message: "kustomize build of base failed: accumulating resources:\nmissing 'x.yaml'.",
      hint: 'Run `kubectl kustomize base` to reproduce.',
    }),
    finding({
      target: 'gitops/clusters/staging',
      file: 'gitops/clusters/staging/remote/kustomization.yaml',
      line: 4,
      rule: 'render-remote',
      severity: 'warning',
      message: "names the remote resource 'https://example.com/x.yaml'.",
    }),
    finding({
      target: 'gitops/clusters/staging',
      file: 'gitops/clusters/staging/notes.yaml',
      line: 1,
      rule: 'schema-unchecked',
      severity: 'info',
      message: 'an info.',
    }),
  ];
  const sample: ValidationReport = {
    version: 1,
    findings,
    stats: {
      ...STATS,
      skipped: [
        {
          path: 'gitops/clusters/staging/remote',
          reason: 'remote-resource',
          detail: 'https://example.com/x.yaml',
        },
      ],
    },
  };

  it('writes SARIF 2.1.0: every rule described once, each finding at its file, line and column with its level', () => {
    golden('report.sarif', formatReport(sample, 'sarif'));
    const sarif = JSON.parse(formatReport(sample, 'sarif'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((r: { level: string }) => r.level)).toEqual(['error', 'error', 'warning', 'note']);
  });

  it('writes the human report', () => {
    golden('report.txt', formatReport(sample, 'human'));
  });
});
