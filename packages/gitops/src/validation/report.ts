/** Stage 7, report: one set of findings; a reporter for people, one for machines, one for code scanning. */
import { formatSarif } from './reporters/sarif';
import { Finding, SkippedPath, SkipReason, ValidationReport } from './types';

/** Report formats, for the CLI's --format and the executor's `format` option. */
export const FORMATS = ['human', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export function formatReport(report: ValidationReport, format: Format): string {
  return format === 'json' ? formatJson(report) : format === 'sarif' ? formatSarif(report) : formatHuman(report);
}

const ORDER = { error: 0, warning: 1, info: 2 } as const;

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      (a.column ?? 0) - (b.column ?? 0) ||
      ORDER[a.severity] - ORDER[b.severity] ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

export function hasErrors(report: ValidationReport): boolean {
  return report.findings.some((f) => f.severity === 'error');
}

export function formatJson(report: ValidationReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Findings grouped by file: `file:line:col  severity  rule  message`, the hint below, then a summary. */
export function formatHuman(report: ValidationReport): string {
  const lines: string[] = [];
  let current: string | undefined;
  for (const f of sortFindings(report.findings)) {
    if (f.file !== current) {
      if (current !== undefined) lines.push('');
      lines.push(f.file || '(tree)');
      current = f.file;
    }
    const where = `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}`;
    // kustomize's errors run over several lines: the later ones are indented under the first.
    lines.push(`  ${where}  ${f.severity}  ${f.rule}  ${f.message.split('\n').join('\n        ')}`);
    if (f.hint) lines.push(`      hint: ${f.hint}`);
  }
  if (lines.length) lines.push('');
  lines.push(summary(report));
  return lines.join('\n') + '\n';
}

function summary(report: ValidationReport): string {
  const count = (s: Finding['severity']) => report.findings.filter((f) => f.severity === s).length;
  const files = new Set(report.findings.filter((f) => f.severity === 'error').map((f) => f.file)).size;
  const s = report.stats;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const head = hasErrors(report) ? `✖ ${plural(count('error'), 'error')} in ${plural(files, 'file')}` : '✔ no errors';
  return (
    `${head}, ${plural(count('warning'), 'warning')}, ${count('info')} info. ` +
    `${plural(s.targets, 'target')}, ${plural(s.files, 'file')}, ${plural(s.renders, 'kustomize run')}${s.memoHits ? ` (+ ${s.memoHits} from the render memo)` : ''}, ` +
    `${plural(s.documents, 'object')} (${s.schemaChecked} schema-checked, ${s.unchecked} unchecked) in ${s.durationMs} ms.` +
    skippedLine(s.skipped ?? [])
  );
}

/** Why a path was not checked, as the report says it. */
const SKIP_REASONS: Record<SkipReason, string> = {
  'helm-chart': 'a Helm chart',
  excluded: '--exclude',
  sourceignore: '.sourceignore',
  'remote-resource': 'names remote resources, which cannot be rendered offline',
  'unchecked-kind': 'no schema known',
};

/** What the run did not check, and why: said in the summary so a skip is never silent. */
function skippedLine(skipped: SkippedPath[]): string {
  if (skipped.length === 0) return '';
  const one = (s: SkippedPath) => `${s.path} (${SKIP_REASONS[s.reason]}${s.detail ? `: ${s.detail}` : ''})`;
  return `\nSkipped: ${skipped.map(one).join(', ')}.`;
}
