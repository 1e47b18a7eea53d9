import { formatHuman, formatJson, hasErrors } from './report';
import { Finding, ValidationReport } from './types';

const STATS = { targets: 2, files: 7, renders: 1, documents: 5, schemaChecked: 4, unchecked: 1, skipped: [], durationMs: 42 };

function report(findings: Finding[]): ValidationReport {
  return { version: 1, findings, stats: STATS };
}

const finding = (f: Partial<Finding>): Finding => ({ target: 't', file: 'a.yaml', line: 1, rule: 'yaml-syntax', severity: 'error', message: 'm.', ...f });

describe('stage 7, report', () => {
  const findings = [
    finding({ file: 'b/helmrelease.yaml', line: 8, column: 5, rule: 'schema-unknown-field', message: "HelmRelease 'x' has unknown field 'spec.valuez'.", hint: 'check the spelling' }),
    finding({ file: 'a/kafka.yaml', line: 1, rule: 'schema-unchecked', severity: 'warning', message: "Kafka 'k' has no known schema." }),
    finding({ file: 'b/helmrelease.yaml', line: 3, rule: 'deprecated-api', message: "HelmRelease 'x' uses deprecated apiVersion 'v2beta1'.", hint: 'Use helm.toolkit.fluxcd.io/v2.' }),
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
    const skipped = { ...report([]), stats: { ...STATS, skipped: [{ path: 'charts/web', reason: 'helm-chart' as const }, { path: 'drafts', reason: 'sourceignore' as const }] } };
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
});
