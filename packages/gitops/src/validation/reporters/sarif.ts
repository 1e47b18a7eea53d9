/**
 * Stage 7, report, for code scanning: SARIF 2.1.0 (the OASIS format GitHub
 * code scanning reads), so findings show on the pull request's lines. One
 * run, every rule id described once in the driver, one result per finding
 * with its file and line relative to the repository root, in the report's
 * order (the engine sorts findings).
 */
import { Finding, RULES, RuleId, ValidationReport } from '../types';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;
const RULE_IDS = Object.keys(RULES) as RuleId[];

export function formatSarif(report: ValidationReport): string {
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mlops-gitops',
            informationUri: 'https://www.npmjs.com/package/@mlops/gitops',
            rules: RULE_IDS.map((id) => ({
              id,
              shortDescription: { text: RULES[id] },
            })),
          },
        },
        results: report.findings.map(result),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function result(f: Finding) {
  const ruleIndex = RULE_IDS.indexOf(f.rule as RuleId);
  return {
    ruleId: f.rule,
    ...(ruleIndex === -1 ? {} : { ruleIndex }),
    level: LEVEL[f.severity],
    message: { text: f.hint ? `${f.message}\nHint: ${f.hint}` : f.message },
    ...(f.file
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file, uriBaseId: '%SRCROOT%' },
                region: {
                  startLine: Math.max(1, f.line),
                  ...(f.column ? { startColumn: f.column } : {}),
                },
              },
              ...(f.resource
                ? {
                    logicalLocations: [{ fullyQualifiedName: f.resource, kind: 'resource' }],
                  }
                : {}),
            },
          ],
        }
      : {}),
    ...(f.target ? { properties: { target: f.target } } : {}),
  };
}
