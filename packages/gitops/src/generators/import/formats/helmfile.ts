/**
 * helmfile.yaml: `repositories`, `releases` (name, namespace, chart, version, values files and
 * inline maps, needs) and `environments`. A release's values are computed for each environment,
 * with `{{ .Environment.Name }}` in values file paths substituted, which is how most helmfiles
 * keep per-environment values. Any other Go templating, `.gotmpl` values, `set`, `secrets`,
 * conditions and `installed: false` are skipped and reported with file and line.
 */
import { posix } from 'node:path';
import { ChartRef } from '../../../model/component';
import { GitopsInputError } from '../../../model/vocabulary';
import { ParsedYamlFile } from '../../../model/yaml-io';
import { EVERY_ENVIRONMENT, ImportedItem, ParsedSource, SkipItem, SkippedItem, SourceFiles } from './source';
import { mergeAll, readValuesFile, Values } from './values';
import { isMapping, readSourceFile } from './yaml-source';

const ENVIRONMENT_NAME = /\{\{-?\s*\.Environment\.Name\s*-?\}\}/g;
const ANY_TEMPLATE = /\{\{/;
/** helmfile's own name for the environment used when none is selected. */
const DEFAULT_ENVIRONMENT = 'default';
const NOT_IMPORTED_KEYS = ['set', 'setString', 'secrets', 'condition', 'hooks', 'postRenderer', 'strategicMergePatches', 'jsonPatches'];

interface Repository {
  url: string;
  oci: boolean;
}

interface Reading {
  files: SourceFiles;
  file: string;
  dir: string;
  skipped: SkippedItem[];
}

export function readHelmfile(files: SourceFiles, path: string): ParsedSource {
  const r: Reading = { files, file: path, dir: posix.dirname(path), skipped: [] };
  if (path.endsWith('.gotmpl')) {
    throw new GitopsInputError(
      `${path} is a Go template (.gotmpl), which import does not guess; render it first (helmfile build) and import the output.`,
    );
  }
  const source = readSourceFile(files, path, 'helmfile');
  const parsed = source.parsed;
  const docs = parsed.documents.filter((d) => isMapping(d.value));
  const environments = docs.flatMap((d) =>
    Object.keys(isMapping((d.value as Record<string, unknown>).environments) ? ((d.value as Record<string, unknown>).environments as object) : {}),
  );
  const repositories = new Map<string, Repository>();
  const items: ImportedItem[] = [];
  for (const d of docs) {
    const doc = d.value as Record<string, unknown>;
    const line = (p: (string | number)[]) => lineIn(parsed, d.index, p, source.line);
    readRepositories(r, doc, repositories, line);
    const releases = Array.isArray(doc.releases) ? doc.releases : [];
    releases.forEach((release, i) => {
      const at = line(['releases', i]);
      const what = isMapping(release) && typeof release.name === 'string' ? `release ${release.name}` : `release ${i + 1}`;
      try {
        const item = readRelease(r, release, repositories, environments, at);
        if (item) items.push(item);
      } catch (e) {
        if (!(e instanceof SkipItem)) throw e;
        r.skipped.push({ file: e.file ?? path, line: e.line ?? at, what, reason: e.message });
      }
    });
  }
  return { format: 'helmfile', items, skipped: r.skipped };
}

function lineIn(parsed: ParsedYamlFile, index: number, path: (string | number)[], first: (p: (string | number)[]) => number): number {
  if (index === 0) return first(path);
  const doc = parsed.documents.find((d) => d.index === index)!;
  const node = doc.doc.getIn(path, true) as { range?: [number, number] } | undefined;
  return node?.range ? parsed.lineCounter.linePos(node.range[0]).line : doc.line;
}

function readRepositories(r: Reading, doc: Record<string, unknown>, repos: Map<string, Repository>, line: (p: (string | number)[]) => number): void {
  const list = Array.isArray(doc.repositories) ? doc.repositories : [];
  list.forEach((repo, i) => {
    if (!isMapping(repo) || typeof repo.name !== 'string' || typeof repo.url !== 'string') {
      r.skipped.push({ file: r.file, line: line(['repositories', i]), what: `repository ${i + 1}`, reason: 'a repository needs name and url' });
      return;
    }
    if (ANY_TEMPLATE.test(repo.url)) {
      r.skipped.push({
        file: r.file,
        line: line(['repositories', i]),
        what: `repository ${repo.name}`,
        reason: `url '${repo.url}' is templated; not guessed`,
      });
      return;
    }
    repos.set(repo.name, { url: repo.url.replace(/^oci:\/\//, ''), oci: repo.oci === true || repo.url.startsWith('oci://') });
  });
}

function plain(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = String(value);
  if (ANY_TEMPLATE.test(s))
    throw new SkipItem(`${key} '${s}' is templated; Go templating other than {{ .Environment.Name }} in values paths is not guessed`);
  return s;
}

function readRelease(r: Reading, release: unknown, repos: Map<string, Repository>, environments: string[], at: number): ImportedItem | undefined {
  if (!isMapping(release)) throw new SkipItem('a release must be a mapping');
  const name = plain(release.name, 'name');
  if (!name) throw new SkipItem('a release needs a name');
  if (release.installed === false || release.installed === 'false') {
    throw new SkipItem(`installed: false: '${name}' is uninstalled by helmfile; nothing to take over`);
  }
  plain(release.installed, 'installed');
  const unsupported = NOT_IMPORTED_KEYS.filter((k) => release[k] !== undefined);
  if (unsupported.length)
    throw new SkipItem(
      `${unsupported.join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} not imported; move such values into a values file (secrets into a SealedSecret or ExternalSecret)`,
    );
  const chart = chartOf(plain(release.chart, 'chart'), repos);
  const names = environments.length ? environments : [DEFAULT_ENVIRONMENT];
  const values = new Map<string, Values>();
  for (const env of names) values.set(environments.length ? env : EVERY_ENVIRONMENT, releaseValues(r, release, env));
  return {
    kind: 'helm',
    name,
    namespace: plain(release.namespace, 'namespace'),
    chart,
    version: plain(release.version, 'version'),
    values,
    needs: (Array.isArray(release.needs) ? release.needs : []).map((n) => String(n).split('/').pop()!),
    at: { file: r.file, line: at },
  };
}

function chartOf(chart: string | undefined, repos: Map<string, Repository>): ChartRef {
  if (!chart) throw new SkipItem('a release needs a chart');
  if (chart.startsWith('oci://')) return { repository: chart, name: chart.split('/').pop()! };
  const [alias, name, ...rest] = chart.split('/');
  if (chart.startsWith('.') || chart.startsWith('/') || !name || rest.length) {
    throw new SkipItem(`chart '${chart}' is a local chart or path; import charts from a repository (repo/chart or oci://)`);
  }
  const repo = repos.get(alias);
  if (!repo) throw new SkipItem(`chart '${chart}' names repository '${alias}', which repositories does not list`);
  return repo.oci ? { repository: `oci://${repo.url.replace(/\/+$/, '')}/${name}`, name } : { repository: repo.url, name };
}

/** The release's values in one environment: its values entries (files and inline maps) merged in order. */
function releaseValues(r: Reading, release: Record<string, unknown>, env: string): Values {
  const entries = Array.isArray(release.values) ? release.values : [];
  return mergeAll(
    entries.map((entry) => {
      if (isMapping(entry)) {
        if (ANY_TEMPLATE.test(JSON.stringify(entry))) throw new SkipItem('its inline values are templated; not guessed');
        return entry;
      }
      const path = String(entry).replace(ENVIRONMENT_NAME, env);
      if (ANY_TEMPLATE.test(path)) throw new SkipItem(`values path '${entry}' is templated beyond {{ .Environment.Name }}; not guessed`);
      if (path.endsWith('.gotmpl')) throw new SkipItem(`values file ${path} is a Go template (.gotmpl); not guessed`);
      return readValuesFile(r.files, posix.normalize(posix.join(r.dir, path)));
    }),
  );
}
