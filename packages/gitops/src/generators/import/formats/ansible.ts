/**
 * Ansible: a playbook (plays with vars, vars_files and tasks) or a role's tasks file. Reads the
 * tasks of `kubernetes.core.helm` (also `community.kubernetes.helm` and `helm`),
 * `helm_repository` (to turn `repo/chart` into a repository URL) and `k8s` with `src:` or
 * `definition:` (plain manifests). Variables of the play and `loop` / `with_items` items are
 * substituted where a value is a plain variable (jinja.ts); any other templating, a `when:`, an
 * uninstall and a local chart are skipped and reported with file and line.
 */
import { posix } from 'node:path';
import { ManifestObject } from '../../../model/catalog';
import { ChartRef } from '../../../model/component';
import { parseYamlFile } from '../../../model/yaml-io';
import { resolveValue, Scope } from './jinja';
import { EVERY_ENVIRONMENT, ImportedItem, ParsedSource, SkipItem, SkippedItem, SourceFiles } from './source';
import { asValues, mergeAll, readValuesFile, Values } from './values';
import { isMapping, readSourceFile } from './yaml-source';

const MODULES = {
  helm: ['kubernetes.core.helm', 'community.kubernetes.helm', 'helm'],
  repository: ['kubernetes.core.helm_repository', 'community.kubernetes.helm_repository', 'helm_repository'],
  k8s: ['kubernetes.core.k8s', 'community.kubernetes.k8s', 'k8s'],
} as const;
type ModuleKind = keyof typeof MODULES;
const SHELL_MODULES = ['shell', 'command', 'ansible.builtin.shell', 'ansible.builtin.command'];
const INCLUDE_MODULES = ['include_tasks', 'import_tasks', 'include_role', 'import_role'].flatMap((m) => [m, `ansible.builtin.${m}`]);
const TASK_SECTIONS = ['pre_tasks', 'tasks', 'post_tasks'] as const;

/** One task to run, once per loop item, with the variables it sees. */
interface TaskRun {
  module: ModuleKind;
  args: unknown;
  scope: Scope;
  line: number;
  title: string;
}

interface Reading {
  files: SourceFiles;
  file: string;
  dir: string;
  runs: TaskRun[];
  skipped: SkippedItem[];
}

export function readAnsible(files: SourceFiles, path: string): ParsedSource {
  const source = readSourceFile(files, path, 'Ansible playbook or tasks file');
  const r: Reading = { files, file: path, dir: posix.dirname(path), runs: [], skipped: [] };
  const top = Array.isArray(source.value) ? source.value : [];
  // Paths are read relative to the playbook, so `{{ playbook_dir }}/x` is `./x` from there.
  const base: Scope = { playbook_dir: '.' };
  if (top.some((item) => isMapping(item) && ('hosts' in item || 'import_playbook' in item))) {
    top.forEach((play, i) => readPlay(r, play, [i], base, source.line));
  } else {
    walkTasks(r, top, [], base, source.line);
  }
  const repositories = readRepositories(r);
  const items: ImportedItem[] = [];
  for (const run of r.runs.filter((x) => x.module !== 'repository')) {
    try {
      items.push(run.module === 'helm' ? helmRelease(r, run, repositories) : manifests(r, run));
    } catch (e) {
      skip(r, run.line, run.title, e);
    }
  }
  return { format: 'ansible', items, skipped: r.skipped };
}

function skip(r: Reading, line: number, what: string, e: unknown): void {
  if (!(e instanceof SkipItem)) throw e;
  r.skipped.push({ file: e.file ?? r.file, line: e.line ?? line, what, reason: e.message });
}

function readPlay(r: Reading, play: unknown, path: (string | number)[], base: Scope, line: (p: (string | number)[]) => number): void {
  if (!isMapping(play)) return;
  if ('import_playbook' in play) {
    r.skipped.push({
      file: r.file,
      line: line(path),
      what: `import_playbook ${String(play.import_playbook)}`,
      reason: 'imported playbooks are not followed; import that playbook itself',
    });
    return;
  }
  const scope: Scope = { ...base, ...(isMapping(play.vars) ? play.vars : {}) };
  readVarsFiles(r, play, path, scope, line);
  if (Array.isArray(play.roles) && play.roles.length > 0) {
    r.skipped.push({
      file: r.file,
      line: line([...path, 'roles']),
      what: 'roles',
      reason: "roles are not followed; import each role's tasks file (roles/<role>/tasks/main.yml)",
    });
  }
  for (const section of TASK_SECTIONS) {
    if (Array.isArray(play[section])) walkTasks(r, play[section] as unknown[], [...path, section], scope, line);
  }
}

function readVarsFiles(
  r: Reading,
  play: Record<string, unknown>,
  path: (string | number)[],
  scope: Scope,
  line: (p: (string | number)[]) => number,
): void {
  const list = Array.isArray(play.vars_files) ? play.vars_files : [];
  list.forEach((entry, i) => {
    const at = line([...path, 'vars_files', i]);
    try {
      const file = resolvePath(r, resolveValue(entry, scope), 'vars_files entry');
      Object.assign(scope, readValuesFile(r.files, file));
    } catch (e) {
      skip(r, at, `vars_files ${String(entry)}`, e);
    }
  });
}

function walkTasks(r: Reading, tasks: unknown[], prefix: (string | number)[], scope: Scope, line: (p: (string | number)[]) => number): void {
  tasks.forEach((task, i) => {
    if (!isMapping(task)) return;
    const path = [...prefix, i];
    const title = typeof task.name === 'string' ? `task '${task.name}'` : `task ${i + 1}`;
    const inner: Scope = { ...scope, ...(isMapping(task.vars) ? task.vars : {}) };
    if (task.when !== undefined) {
      if (taskModule(task) || Array.isArray(task.block)) {
        r.skipped.push({
          file: r.file,
          line: line(path),
          what: title,
          reason: `runs only when '${String(task.when)}': conditionals are not evaluated`,
        });
      }
      return;
    }
    if (Array.isArray(task.block)) {
      walkTasks(r, task.block, [...path, 'block'], inner, line);
      if (Array.isArray(task.always)) walkTasks(r, task.always, [...path, 'always'], inner, line);
      return;
    }
    const module = taskModule(task);
    if (!module) return reportUnread(r, task, line(path), title);
    try {
      for (const item of loopItems(task, inner)) r.runs.push({ module: module.kind, args: task[module.key], scope: item, line: line(path), title });
    } catch (e) {
      skip(r, line(path), title, e);
    }
  });
}

function taskModule(task: Record<string, unknown>): { kind: ModuleKind; key: string } | undefined {
  for (const kind of Object.keys(MODULES) as ModuleKind[]) {
    const key = MODULES[kind].find((k) => k in task);
    if (key) return { kind, key };
  }
  return undefined;
}

/** Included tasks and shell tasks running helm or kubectl deploy what import does not read: said, not silently dropped. */
function reportUnread(r: Reading, task: Record<string, unknown>, line: number, title: string): void {
  const include = INCLUDE_MODULES.find((k) => k in task);
  if (include) {
    r.skipped.push({ file: r.file, line, what: title, reason: `${include} is not followed; import ${JSON.stringify(task[include])} itself` });
    return;
  }
  const key = SHELL_MODULES.find((k) => k in task);
  if (!key) return;
  const command = JSON.stringify(task[key]);
  if (/\b(helm|kubectl)\s/.test(command)) {
    r.skipped.push({
      file: r.file,
      line,
      what: title,
      reason: `runs helm or kubectl from ${key}; rewrite it as a kubernetes.core.helm or kubernetes.core.k8s task to import it`,
    });
  }
}

/** One scope per loop item (`loop`, or `with_items` flattened one level), with `loop_control.loop_var`; one scope without a loop. */
function loopItems(task: Record<string, unknown>, scope: Scope): Scope[] {
  const raw = task.loop ?? task.with_items;
  if (raw === undefined) return [scope];
  const list = resolveValue(raw, scope);
  if (!Array.isArray(list)) throw new SkipItem(`its loop is not a list (loops over a literal list or a variable holding one are read)`);
  const items = task.loop === undefined ? list.flatMap((x) => (Array.isArray(x) ? x : [x])) : list;
  const loopVar = isMapping(task.loop_control) && typeof task.loop_control.loop_var === 'string' ? task.loop_control.loop_var : 'item';
  return items.map((item) => ({ ...scope, [loopVar]: item }));
}

function args(run: TaskRun): Record<string, unknown> {
  if (!isMapping(run.args)) throw new SkipItem('its module arguments are free-form text (k=v); write them as a mapping to import it');
  return run.args;
}

function text(run: TaskRun, a: Record<string, unknown>, ...keys: string[]): string | undefined {
  const key = keys.find((k) => a[k] !== undefined && a[k] !== null);
  if (key === undefined) return undefined;
  const value = resolveValue(a[key], run.scope);
  if (typeof value === 'object') throw new SkipItem(`'${key}' must be text; got ${JSON.stringify(value)}`);
  return String(value);
}

/** helm_repository tasks: repository name → URL (one per loop item). */
function readRepositories(r: Reading): Map<string, string> {
  const repos = new Map<string, string>();
  for (const run of r.runs.filter((x) => x.module === 'repository')) {
    try {
      const a = args(run);
      const name = text(run, a, 'name', 'repo_name');
      const url = text(run, a, 'repo_url');
      if (text(run, a, 'repo_state') === 'absent') continue;
      if (!name || !url) throw new SkipItem('a helm_repository task needs name (repo_name) and repo_url');
      repos.set(name, url);
    } catch (e) {
      skip(r, run.line, run.title, e);
    }
  }
  return repos;
}

function chartOf(chartRef: string, repoUrl: string | undefined, repositories: Map<string, string>): ChartRef {
  if (chartRef.startsWith('oci://')) return { repository: chartRef, name: chartRef.split('/').pop()! };
  if (repoUrl) return { repository: repoUrl, name: chartRef };
  const parts = chartRef.split('/');
  if (parts.length !== 2 || chartRef.startsWith('.') || parts.some((p) => p === '')) {
    throw new SkipItem(`chart_ref '${chartRef}' is a local chart or path; import charts from a repository (repo/chart, oci://, or chart_repo_url)`);
  }
  const repository = repositories.get(parts[0]);
  if (!repository) {
    throw new SkipItem(`chart_ref '${chartRef}' names repository '${parts[0]}', which no helm_repository task adds; add one or give chart_repo_url`);
  }
  return { repository, name: parts[1] };
}

function resolvePath(r: Reading, value: unknown, what: string): string {
  if (typeof value !== 'string') throw new SkipItem(`${what} must be a file path; got ${JSON.stringify(value)}`);
  if (posix.isAbsolute(value))
    throw new SkipItem(`${what} '${value}' is an absolute path; give it relative to the playbook (or with {{ playbook_dir }})`);
  return posix.normalize(posix.join(r.dir, value));
}

function helmRelease(r: Reading, run: TaskRun, repositories: Map<string, string>): ImportedItem {
  const a = args(run);
  const name = text(run, a, 'name', 'release_name');
  if (!name) throw new SkipItem('a helm task needs name (release_name)');
  if (text(run, a, 'release_state', 'state') === 'absent') throw new SkipItem(`release_state: absent uninstalls '${name}'; nothing to take over`);
  if (a.set_values !== undefined) throw new SkipItem('set_values is not imported; move those values into release_values');
  const chartRef = text(run, a, 'chart_ref');
  if (!chartRef) throw new SkipItem(`release '${name}' has no chart_ref`);
  const files = resolveValue(a.values_files ?? [], run.scope);
  if (!Array.isArray(files)) throw new SkipItem('values_files must be a list of files');
  // kubernetes.core.helm passes values_files first, then release_values: later ones win (Helm's -f order).
  const layers: Values[] = files.map((f) => readValuesFile(r.files, resolvePath(r, f, 'values_files entry')));
  layers.push(asValues(resolveValue(a.release_values ?? a.values, run.scope), 'release_values'));
  return {
    kind: 'helm',
    name,
    namespace: text(run, a, 'release_namespace', 'namespace'),
    chart: chartOf(chartRef, text(run, a, 'chart_repo_url'), repositories),
    version: text(run, a, 'chart_version'),
    values: new Map([[EVERY_ENVIRONMENT, mergeAll(layers)]]),
    needs: [],
    at: { file: r.file, line: run.line },
  };
}

function manifests(r: Reading, run: TaskRun): ImportedItem {
  const a = args(run);
  if (text(run, a, 'state') === 'absent') throw new SkipItem('state: absent deletes objects; nothing to take over');
  if (a.template !== undefined) throw new SkipItem('template: renders a Jinja template; templated manifests are not guessed');
  const src = text(run, a, 'src');
  const objects = src !== undefined ? readManifestFile(r, resolvePath(r, src, 'src')) : definitionObjects(resolveValue(a.definition, run.scope));
  if (objects.length === 0) throw new SkipItem('a k8s task needs src or definition with at least one object');
  const namespace = text(run, a, 'namespace') ?? singleNamespace(objects);
  const name = src !== undefined ? posix.basename(src).replace(/\.ya?ml$/, '') : objects[0].metadata.name;
  return { kind: 'manifests', name, namespace, objects: objects.map(withoutNamespace), at: { file: r.file, line: run.line } };
}

function readManifestFile(r: Reading, path: string): ManifestObject[] {
  const content = r.files.read(path);
  if (content === null) throw new SkipItem(`src ${path} does not exist`);
  const jinja = content.split('\n').findIndex((l) => /\{\{|\{%/.test(l));
  if (jinja !== -1) throw new SkipItem(`${path}:${jinja + 1} is templated; templated manifests are not guessed`, undefined, undefined);
  const parsed = parseYamlFile(path, content);
  if (parsed.errors.length) throw new SkipItem(`${path}:${parsed.errors[0].line}: ${parsed.errors[0].message}`);
  return checkObjects(
    parsed.documents.map((d) => d.value).filter((v) => v !== null && v !== undefined),
    path,
  );
}

function definitionObjects(definition: unknown): ManifestObject[] {
  if (definition === undefined || definition === null) return [];
  if (typeof definition === 'string') {
    const parsed = parseYamlFile('definition', definition);
    if (parsed.errors.length) throw new SkipItem(`its definition does not parse: ${parsed.errors[0].message}`);
    return checkObjects(
      parsed.documents.map((d) => d.value).filter((v) => v !== null),
      'definition',
    );
  }
  return checkObjects(Array.isArray(definition) ? definition : [definition], 'definition');
}

function checkObjects(values: unknown[], where: string): ManifestObject[] {
  return values.map((v) => {
    const o = v as ManifestObject;
    if (
      !isMapping(v) ||
      typeof o.apiVersion !== 'string' ||
      typeof o.kind !== 'string' ||
      !isMapping(o.metadata) ||
      typeof o.metadata.name !== 'string'
    ) {
      throw new SkipItem(`${where} holds something that is not a Kubernetes object with apiVersion, kind and metadata.name`);
    }
    if (o.kind === 'Secret') {
      throw new SkipItem(
        `${where} holds a plaintext Secret '${o.metadata.name}'; the tree takes no plaintext Secrets: provide it as a SealedSecret or ExternalSecret`,
      );
    }
    return o;
  });
}

function singleNamespace(objects: ManifestObject[]): string | undefined {
  const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => typeof n === 'string'))];
  if (namespaces.length > 1) throw new SkipItem(`its objects are in several namespaces (${namespaces.join(', ')}); a component deploys into one`);
  return namespaces[0];
}

function withoutNamespace(o: ManifestObject): ManifestObject {
  const { namespace: _namespace, ...metadata } = o.metadata;
  return { ...o, metadata: metadata as ManifestObject['metadata'] };
}
