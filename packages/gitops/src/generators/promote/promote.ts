/**
 * `nx g @mlops/gitops:promote <component...> --to <env> [--from <env>] [--all] [--tag <tag>]`: normalize,
 * plan every change (chart version, blueprint image tags), refuse downgrades and ranges into
 * pinned environments before anything is written, edit the overlays in place with the same code
 * as `release`, move a gated environment's release tag with the same code as `release --tag`,
 * reconcile, format, and print (and optionally write) the table.
 */
import { logger, Tree } from '@nx/devkit';
import { formatChangedFiles } from '../shared/format';
import { gt, lt } from 'semver';
import { catalogFor, imageKeys, loadBlueprint } from '../../model/catalog';
import { Component } from '../../model/component';
import { EnvironmentSettings } from '../../model/environment-settings';
import { assertReleaseTag, GitopsInputError, isExactVersion } from '../../model/vocabulary';
import { parseList } from '../shared/options';
import { readOverlayValue, setOverlayValue, setOverlayVersion } from '../shared/overlay';
import { reconcileTree } from '../shared/reconcile';
import { checkReleaseTag, setReleaseTag } from '../shared/release-tag';
import { findComponent, findEnvironment, readWorkspace, Workspace } from '../shared/workspace';
import { PromoteGeneratorSchema } from './schema';

export interface NormalizedPromoteOptions {
  components: Component[];
  from: EnvironmentSettings;
  to: EnvironmentSettings;
  allowDowngrade: boolean;
  summaryFile?: string;
  /** --tag: the Git tag the (gated) --to environment applies from now on. */
  tag?: string;
  /** The desired state of the tree before this run. */
  since: Workspace;
}

/** The release tag's line of the table: what the gated environment applies, before and after. */
export interface ReleaseStep {
  before?: string;
  after: string;
}

/** One line of the table: what changes (or is up to date) for one component. */
export interface PromotionStep {
  component: Component;
  /** `chart` or the values key of an image tag. */
  what: string;
  key?: string[];
  before?: string;
  after: string;
}

export async function promoteGenerator(tree: Tree, schema: PromoteGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  const steps = planPromotion(tree, options);
  refuse(options, steps);
  if (options.tag) checkReleaseTag(tree, options.to, options.tag);
  const release = releaseStep(options);
  const changes = steps.filter((s) => s.before !== s.after);
  for (const line of table(options, steps, release)) logger.info(line);
  if (changes.length === 0 && release?.before === release?.after) return;
  for (const step of changes) apply(tree, options.to, step);
  if (options.tag) setReleaseTag(tree, options.to, options.tag);
  if (options.summaryFile) tree.write(options.summaryFile, markdown(options, steps, release));
  reconcileTree(tree, { since: options.since });
  if (!schema.skipFormat) await formatChangedFiles(tree);
}

export default promoteGenerator;

export function normalizeOptions(tree: Tree, schema: PromoteGeneratorSchema): NormalizedPromoteOptions {
  const ws = readWorkspace(tree);
  const to = findEnvironment(ws, schema.to, 'Environment --to');
  const fromName = schema.from ?? to.promotesFrom;
  if (!fromName) {
    throw new GitopsInputError(`Environment '${to.name}' names no promotesFrom in its environment.yaml; give --from <environment>.`);
  }
  const from = findEnvironment(ws, fromName, 'Environment --from');
  if (from.name === to.name) throw new GitopsInputError(`--from and --to are both '${to.name}'; promote from another environment.`);
  const named = parseList(schema.components) ?? [];
  if (schema.all && named.length) throw new GitopsInputError(`Give components or --all, not both (got ${named.join(', ')} and --all).`);
  const tag = schema.tag?.trim() ? assertReleaseTag(schema.tag.trim()) : undefined;
  if (!schema.all && named.length === 0 && !tag) throw new GitopsInputError(`Name the components to promote, or give --all (or --tag alone).`);
  const components = schema.all
    ? [...ws.model.components.values()]
        .filter((c) => c.overlays.has(from.name) && c.overlays.has(to.name))
        .sort((a, b) => a.name.localeCompare(b.name))
    : named.map((name) => findComponent(ws, name));
  for (const c of components) {
    const missing = [from, to].filter((e) => !c.overlays.has(e.name)).map((e) => e.name);
    if (missing.length)
      throw new GitopsInputError(
        `Component '${c.name}' is not deployed in ${missing.join(' and ')}; it is deployed in: ${[...c.overlays.keys()].sort().join(', ') || '(none)'}.`,
      );
  }
  return {
    components,
    from,
    to,
    allowDowngrade: schema.allowDowngrade ?? false,
    summaryFile: schema.summaryFile,
    ...(tag ? { tag } : {}),
    since: ws,
  };
}

/** Every fact to copy, changed or not (unchanged ones are reported as up to date). */
export function planPromotion(tree: Tree, { components, from, to }: NormalizedPromoteOptions): PromotionStep[] {
  const catalog = catalogFor(tree);
  const steps: PromotionStep[] = [];
  for (const c of components) {
    if (c.kind !== 'helm') continue;
    const version = c.overlays.get(from.name)?.version;
    if (version !== undefined)
      steps.push({
        component: c,
        what: 'chart',
        before: c.overlays.get(to.name)?.version,
        after: version,
      });
    const blueprint = loadBlueprint(catalog, c.name);
    for (const key of blueprint ? imageKeys(blueprint) : []) {
      const tag = readOverlayValue(tree, c, from.name, key);
      if (typeof tag !== 'string' && typeof tag !== 'number') continue;
      const current = readOverlayValue(tree, c, to.name, key);
      steps.push({
        component: c,
        what: key.join('.'),
        key,
        before: current === undefined ? undefined : String(current),
        after: String(tag),
      });
    }
  }
  return steps;
}

function refuse({ to, allowDowngrade }: NormalizedPromoteOptions, steps: PromotionStep[]): void {
  for (const s of steps.filter((x) => x.what === 'chart' && x.before !== x.after)) {
    if (to.pinVersions && !isExactVersion(s.after)) {
      throw new GitopsInputError(
        `Environment '${to.name}' pins exact chart versions, but '${s.component.name}' would get the range '${s.after}'; pin an exact version in the source environment first.`,
      );
    }
    if (!allowDowngrade && s.before && isExactVersion(s.before) && isExactVersion(s.after) && lt(s.after, s.before)) {
      throw new GitopsInputError(
        `Promoting '${s.component.name}' would downgrade ${to.name} from ${s.before} to ${s.after}; give --allow-downgrade if that is what you want.`,
      );
    }
  }
}

function apply(tree: Tree, to: EnvironmentSettings, step: PromotionStep): void {
  if (step.key) setOverlayValue(tree, step.component, to.name, step.key, step.after);
  else setOverlayVersion(tree, step.component, to.name, step.after);
}

/** before → after; `older` marks a move to a lower version (a downgrade of a chart, a rollback of the release tag). */
function change(s: { before?: string; after: string }, older = 'downgrade'): string {
  if (s.before === s.after) return `${s.after} (up to date)`;
  const direction = s.before && isExactVersion(s.before) && isExactVersion(s.after) && gt(s.before, s.after) ? ` (${older})` : '';
  return `${s.before ?? '(unset)'} → ${s.after}${direction}`;
}

/** The --tag line, when one is given. */
function releaseStep({ to, tag }: NormalizedPromoteOptions): ReleaseStep | undefined {
  return tag === undefined ? undefined : { before: to.release, after: tag };
}

/** The label of the release tag's row. */
const RELEASE_ROW = '(release tag)';

function rowsOf(to: EnvironmentSettings, steps: PromotionStep[], release?: ReleaseStep): string[][] {
  return [
    ...steps.map((s) => [s.component.name, to.name, s.what, change(s)]),
    ...(release ? [[RELEASE_ROW, to.name, 'release', change(release, 'rollback')]] : []),
  ];
}

function changeCount(steps: PromotionStep[], release?: ReleaseStep): number {
  return steps.filter((s) => s.before !== s.after).length + (release && release.before !== release.after ? 1 : 0);
}

/** The table printed on the terminal. */
export function table({ from, to }: NormalizedPromoteOptions, steps: PromotionStep[], release?: ReleaseStep): string[] {
  if (steps.length === 0 && !release) return [`Nothing to promote from ${from.name} to ${to.name}.`];
  const rows = rowsOf(to, steps, release);
  const head = ['component', 'environment', 'what', `${from.name} → ${to.name}`];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const changed = changeCount(steps, release);
  const summary = changed
    ? `Promoting ${changed} change${changed === 1 ? '' : 's'} from ${from.name} to ${to.name}:`
    : `Everything is up to date in ${to.name}; nothing is written.`;
  return [summary, line(head), ...rows.map(line)];
}

/** The same table as Markdown, for a pull request body. */
export function markdown(options: NormalizedPromoteOptions, steps: PromotionStep[], release?: ReleaseStep): string {
  const { from, to } = options;
  const rows = rowsOf(to, steps, release).map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  return [
    `## Promotion ${from.name} → ${to.name}`,
    '',
    '| component | environment | what | from → to |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
