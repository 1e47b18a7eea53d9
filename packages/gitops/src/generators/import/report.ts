/** What import tells a person (also in --dry-run): each release → component, layer, version, environments; each skipped item with file, line and reason. */
import { ParsedSource, SkippedItem } from './formats/source';
import { PlannedComponent } from './plan';

function describeComponent(p: PlannedComponent): string {
  const { item } = p;
  const what =
    item.kind === 'helm'
      ? `release ${item.name} (chart ${item.chart.name} ${item.version ?? '(version kept)'})`
      : `manifests ${item.name} (${item.objects.length} object${item.objects.length === 1 ? '' : 's'})`;
  const deps = p.schema.dependsOn?.length ? `, dependsOn ${(p.schema.dependsOn as string[]).join(', ')}` : '';
  const state = p.exists ? ` (already in the tree: its files kept${item.kind === 'helm' ? ', the chart version set' : ''})` : '';
  return `  ${what} -> component ${item.name}, layer ${p.layer}, namespace ${item.namespace}, environments ${p.environments.join(', ')}${deps}${state}`;
}

function describeSkipped(s: SkippedItem): string {
  return `  ${s.file}:${s.line} ${s.what}: ${s.reason}`;
}

export function importReport(path: string, parsed: ParsedSource, components: PlannedComponent[], skipped: SkippedItem[]): string[] {
  const lines = [
    `Import of ${path} (${parsed.format}): ${components.length} component${components.length === 1 ? '' : 's'}, ${skipped.length} skipped.`,
  ];
  lines.push(...components.map(describeComponent));
  const inOrder = [...skipped].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  if (skipped.length) lines.push('Skipped (not imported):', ...inOrder.map(describeSkipped));
  if (components.some((c) => c.item.kind === 'helm' && !c.exists)) {
    lines.push(
      'The HelmReleases keep the Helm release names and namespaces: Flux upgrades the running releases in place; see docs/import.md for Argo CD.',
    );
  }
  return lines;
}
