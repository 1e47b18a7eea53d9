/**
 * The preview for people: a summary per environment first (one line per component, with what the
 * engines will do), then one collapsible section per component with its chart, effective values
 * and objects, as argocd-diff-preview lays out its comments. Markdown for pull-request comments,
 * text for terminals, JSON for machines. A Markdown report stays under GitHub's comment limit:
 * large sections are cut, each with a note.
 */
import type { Change, ObjectChange } from './diff';
import { ComponentPreview, EnvironmentPreview, hasChanges, Preview } from './types';

export const FORMATS = ['markdown', 'text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** GitHub refuses a comment body longer than this (characters). */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** The first line of every Markdown report: the CI finds its own comment by it and edits it (a sticky comment). */
export const COMMENT_MARKER = '<!-- mlops-gitops-preview -->';

const ARROW = '→';
const SUMMARY_VALUES = 3;
const VALUE_WIDTH = 120;

export function formatPreview(p: Preview, format: Format, limit = GITHUB_COMMENT_LIMIT): string {
  if (format === 'json') return JSON.stringify(p, null, 2) + '\n';
  return format === 'markdown' ? markdown(p, limit) : text(p);
}

function title(p: Preview): string {
  return `GitOps preview${p.project ? ` of ${p.project}` : ''}: ${p.base} ${ARROW} ${p.head}`;
}

function noChanges(p: Preview): string {
  if (p.project?.startsWith('env-'))
    return `No changes to the environment's own objects (its components are previewed by their own preview targets).`;
  return `No changes: ${p.head} deploys ${p.project ? `${p.project} ` : ''}the same as ${p.base} in every environment.`;
}

// ---- one line per component -------------------------------------------------------------------

/** e.g. `airflow chart 1.18.0 → 1.19.0 (promoted from staging); values scheduler.replicas 1 → 2`. */
export function summaryLine(c: ComponentPreview): string {
  if (c.status === 'added') return `${c.name} added${c.chart.to ? ` (chart ${c.chart.to}${c.version.to ? ` ${c.version.to}` : ''})` : ''}`;
  if (c.status === 'removed') return `${c.name} removed`;
  const parts = [chartPart(c), ...c.values.map((v) => valuesPart(v.changes, c.values.length > 1 ? v.engines : [])), objectsPart(c)].filter(
    (s): s is string => !!s,
  );
  if (c.errors.length) parts.push('does not render (see details)');
  const head = c.status === 'renamed' ? `${c.renamedFrom} renamed to ${c.name}` : c.name;
  return parts.length ? `${head}${c.status === 'renamed' ? ';' : ''} ${parts.join('; ')}` : head;
}

function chartPart(c: ComponentPreview): string | undefined {
  const { chart, version } = c;
  const promoted = c.promotedFrom ? ` (promoted from ${c.promotedFrom})` : '';
  if (chart.from !== chart.to)
    return `chart ${chart.from} ${version.from ?? ''} ${ARROW} ${chart.to} ${version.to ?? ''}`.replace(/ +/g, ' ').trim() + promoted;
  if (version.from !== version.to) return `chart ${version.from ?? '(unset)'} ${ARROW} ${version.to ?? '(unset)'}${promoted}`;
  return undefined;
}

function valuesPart(changes: Change[], engines: string[]): string | undefined {
  if (changes.length === 0) return undefined;
  const shown = changes.slice(0, SUMMARY_VALUES).map((ch) => `${ch.path} ${show(ch.from)} ${ARROW} ${show(ch.to)}`);
  const more = changes.length > SUMMARY_VALUES ? ` (+${changes.length - SUMMARY_VALUES} more)` : '';
  return `values${engines.length ? ` (${engines.join(', ')})` : ''} ${shown.join(', ')}${more}`;
}

/** Object changes beyond the chart version (which the chart part already says). */
function objectsPart(c: ComponentPreview): string | undefined {
  const counts = new Map<string, number>();
  for (const o of c.objects) {
    if (o.status === 'changed' && o.changes.every((ch) => ch.from === c.version.from && ch.to === c.version.to)) continue;
    counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  const list = ['changed', 'added', 'removed'].filter((s) => counts.has(s)).map((s) => `${counts.get(s)} ${s}`);
  return `objects ${list.join(', ')}`;
}

export function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const s = typeof value === 'string' ? (value === '' || value.includes('\n') ? JSON.stringify(value) : value) : JSON.stringify(value);
  return s.length > VALUE_WIDTH ? `${s.slice(0, VALUE_WIDTH - 1)}…` : s;
}

function environmentHeading(e: EnvironmentPreview): string {
  return `${e.name} (${e.engines.join(', ')}; ${e.sync} sync)`;
}

// ---- details ----------------------------------------------------------------------------------

function valueLines(changes: Change[]): string[] {
  return changes.flatMap((ch) => [
    ...(ch.from !== undefined ? [`- ${ch.path}: ${show(ch.from)}`] : []),
    ...(ch.to !== undefined ? [`+ ${ch.path}: ${show(ch.to)}`] : []),
  ]);
}

function objectLines(objects: ObjectChange[]): string[] {
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  return objects.flatMap((o) => [
    `${sign[o.status]} ${o.title}${o.status === 'changed' ? '' : ` (${o.status})`}`,
    ...valueLines(o.changes).map((l) => `${l[0]}   ${l.slice(2)}`),
  ]);
}

interface Section {
  heading: string;
  /** Paragraphs and fenced diff blocks, as lines. */
  body: string[];
}

/** Blocks separated by one blank line (Markdown that prettier leaves as it is). */
function blocks(...parts: string[][]): string[] {
  return parts.filter((b) => b.length).flatMap((b, i) => (i === 0 ? b : ['', ...b]));
}

function componentSection(env: string, c: ComponentPreview, fence: (lines: string[]) => string[]): Section {
  const v = (name?: string, version?: string) => (name ? `${name} ${version ?? '(no version)'}` : '(none)');
  const same = c.chart.from === c.chart.to && c.version.from === c.version.to;
  const chart = `Chart: ${same ? v(c.chart.to, c.version.to) : `${v(c.chart.from, c.version.from)} ${ARROW} ${v(c.chart.to, c.version.to)}`}`;
  const values = c.values
    .filter((x) => x.changes.length || x.unread.length)
    .flatMap((x) => [
      [`Effective values (${x.engines.join(', ')}):`],
      x.sources.map((s) => `- ${s.replace(': ', ' merges ')}`),
      x.changes.length ? fence(valueLines(x.changes)) : [],
      x.unread.map((u) => `- not read: ${u}`),
    ]);
  const body = blocks(
    c.chart.from || c.chart.to ? [`${chart}${c.repository ? ` from ${c.repository}` : ''}`] : [],
    c.notes.length ? ['What the engines do:'] : [],
    c.notes.map((n) => `- ${n}`),
    ...values,
    c.objects.length ? ['Objects:'] : [],
    c.objects.length ? fence(objectLines(c.objects)) : [],
    c.errors.map((e) => `Render error: ${e}`),
  );
  return { heading: `${env} · ${summaryLine(c)}`, body };
}

function environmentSection(e: EnvironmentPreview, fence: (lines: string[]) => string[]): Section {
  return { heading: `${e.name} · environment objects`, body: blocks(['Objects:'], fence(objectLines(e.objects))) };
}

function sections(p: Preview, fence: (lines: string[]) => string[]): Section[] {
  return p.environments.flatMap((e) => [
    ...e.components.map((c) => componentSection(e.name, c, fence)),
    ...(e.objects.length ? [environmentSection(e, fence)] : []),
  ]);
}

function trimEnd(lines: string[]): string[] {
  const out = [...lines];
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

function summaryItems(e: EnvironmentPreview): { line: string; notes: string[] }[] {
  const items = e.components.map((c) => ({ line: summaryLine(c), notes: c.notes }));
  if (e.objects.length) items.push({ line: `environment objects: ${e.objects.map((o) => `${o.title} ${o.status}`).join(', ')}`, notes: [] });
  return items;
}

// ---- text -------------------------------------------------------------------------------------

function text(p: Preview): string {
  if (!hasChanges(p)) return `${title(p)}\n\n${noChanges(p)}\n`;
  const lines = [title(p), ''];
  for (const e of p.environments) {
    for (const item of summaryItems(e)) lines.push(`${e.name}: ${item.line}`, ...item.notes.map((n) => `    ${n}`));
  }
  for (const s of sections(p, (l) => l.map((x) => `  ${x}`))) lines.push('', `== ${s.heading}`, ...s.body);
  return lines.join('\n') + '\n';
}

// ---- markdown ---------------------------------------------------------------------------------

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(s: string): string {
  return s.replace(/`/g, "'");
}

function markdownSummary(p: Preview): string[] {
  const lines = [COMMENT_MARKER, '', `## ${escapeHtml(title(p))}`, ''];
  if (!hasChanges(p)) return [...lines, noChanges(p)];
  for (const e of p.environments.filter((x) => x.components.length || x.objects.length)) {
    lines.push(`### ${environmentHeading(e)}`, '');
    for (const item of summaryItems(e)) lines.push(`- ${escapeHtml(item.line)}`, ...item.notes.map((n) => `  - \`${code(n)}\``));
    lines.push('');
  }
  return trimEnd(lines);
}

const FENCE = '```';

function markdownFence(lines: string[]): string[] {
  return [`${FENCE}diff`, ...lines, FENCE];
}

/** A section as `<details>` lines; cut to `budget` characters with a note when it is longer ('' when not even that fits). */
function detailsBlock(s: Section, budget: number, p: Preview): string {
  const open = ['<details>', `<summary>${escapeHtml(s.heading)}</summary>`, ''];
  const close = ['', '</details>'];
  const full = [...open, ...s.body, ...close].join('\n');
  if (full.length <= budget) return full;
  const limit = GITHUB_COMMENT_LIMIT.toLocaleString('en-US');
  const note = (omitted: number) =>
    `_${omitted} more lines cut to keep this comment under GitHub's ${limit} characters: run \`npx mlops-gitops preview --base ${code(p.base)} --head ${code(p.head)}\` for all of it._`;
  const kept: string[] = [];
  let size = [...open, FENCE, '', note(s.body.length), ...close].join('\n').length;
  let inFence = false;
  for (const line of s.body) {
    if (size + line.length + 1 > budget) break;
    kept.push(line);
    size += line.length + 1;
    if (line.startsWith(FENCE)) inFence = !inFence;
  }
  if (size > budget) return '';
  return [...open, ...kept, ...(inFence ? [FENCE] : []), '', note(s.body.length - kept.length), ...close].join('\n');
}

function markdown(p: Preview, limit: number): string {
  const summary = markdownSummary(p).join('\n');
  const parts = sections(p, markdownFence);
  const intro = '\n\n#### Details\n\n';
  // Every section gets an equal share of what is left; short sections give their unused share to the others.
  let room = limit - summary.length - intro.length - 2 * parts.length - 1;
  const order = parts.map((b, i) => ({ i, size: detailsBlock(b, Infinity, p).length })).sort((a, b) => a.size - b.size);
  const budgets = new Array<number>(parts.length);
  order.forEach(({ i, size }, k) => {
    budgets[i] = Math.max(0, Math.min(size, Math.floor(room / (order.length - k))));
    room -= budgets[i];
  });
  const details = parts.map((b, i) => detailsBlock(b, budgets[i], p)).filter((d) => d !== '');
  const body = details.length ? `${summary}${intro}${details.join('\n\n')}` : summary;
  return (body.length < limit ? body : body.slice(0, limit - 1)) + '\n';
}
