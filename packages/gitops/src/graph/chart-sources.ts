/**
 * Chart-source references between components: a HelmRelease in one
 * component's base names a HelmRepository / OCIRepository that another
 * component's base defines (e.g. many components sharing one Bitnami
 * repository). Only base files that mention one of those kinds are parsed,
 * each once per content hash (graph-cache.ts keeps the facts between nx commands).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartRefsOf, CHART_SOURCE_KINDS } from '../model/kubernetes';
import { parseYamlFile } from '../model/yaml-io';

/** What a base file says about chart sources. */
export interface ChartSourceFacts {
  /** `kind/name` of the chart sources the file defines. */
  defines: string[];
  /** `kind/name` of the chart sources its HelmReleases use. */
  uses: string[];
}

const NONE: ChartSourceFacts = { defines: [], uses: [] };
const MENTIONS_KIND = /\bkind:\s*["']?(HelmRelease|HelmRepository|OCIRepository)\b/;

/** Facts of one file as it is on disk; only files that mention one of the kinds are parsed. The graph cache keeps them per Nx file hash. */
export function chartSourceFactsOf(workspaceRoot: string, file: string): ChartSourceFacts {
  let text: string;
  try {
    text = readFileSync(join(workspaceRoot, file), 'utf8');
  } catch {
    return NONE;
  }
  return MENTIONS_KIND.test(text) ? factsOfText(file, text) : NONE;
}

export function factsOfText(file: string, text: string): ChartSourceFacts {
  const facts: ChartSourceFacts = { defines: [], uses: [] };
  for (const d of parseYamlFile(file, text).documents) {
    const o = d.value as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (!o || typeof o !== 'object') continue;
    if ((CHART_SOURCE_KINDS as readonly unknown[]).includes(o.kind) && typeof o.metadata?.name === 'string') {
      facts.defines.push(`${o.kind}/${o.metadata.name}`);
    }
    for (const r of chartRefsOf(o as Record<string, unknown>)) {
      if ((CHART_SOURCE_KINDS as readonly string[]).includes(r.kind)) facts.uses.push(`${r.kind}/${r.name}`);
    }
  }
  return facts;
}
