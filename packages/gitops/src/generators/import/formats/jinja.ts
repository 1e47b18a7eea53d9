/**
 * The part of Ansible's Jinja templating import substitutes: a value that is a plain variable
 * (`{{ name }}`, `{{ name.key }}`, `{{ item.field }}`). Anything else that is templated (filters,
 * tests, conditionals, lookups, statements) is not guessed: the task is skipped and reported.
 */
import { SkipItem } from './source';

export type Scope = Record<string, unknown>;

const EXPRESSION = /\{\{([\s\S]*?)\}\}/g;
const PLAIN_VARIABLE = /^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*$/;
const MAX_DEPTH = 20;

function lookup(scope: Scope, path: string, expression: string): unknown {
  let node: unknown = scope;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(key in node)) {
      throw new SkipItem(
        `'${expression.trim()}' uses '${path}', which the play's vars, vars_files and loop do not define (extra vars and inventory variables are not read)`,
      );
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function resolveString(text: string, scope: Scope, depth: number): unknown {
  if (/\{%|\{#/.test(text)) throw new SkipItem(`'${text}' holds a Jinja statement or comment; templating other than a plain variable is not guessed`);
  const expressions = [...text.matchAll(EXPRESSION)];
  if (expressions.length === 0) return text;
  for (const [whole, inner] of expressions) {
    if (!PLAIN_VARIABLE.test(inner)) {
      throw new SkipItem(`'${whole}' is templated beyond a plain variable (filters, conditionals and lookups are not guessed)`);
    }
  }
  const only = expressions.length === 1 && expressions[0][0] === text.trim() ? expressions[0] : undefined;
  if (only) return resolveValue(lookup(scope, only[1].trim(), only[0]), scope, depth + 1);
  return text.replace(EXPRESSION, (whole, inner: string) => {
    const value = resolveValue(lookup(scope, inner.trim(), whole), scope, depth + 1);
    if (typeof value === 'object' && value !== null)
      throw new SkipItem(`'${whole}' inside '${text}' is a ${Array.isArray(value) ? 'list' : 'mapping'}, not text`);
    return String(value);
  });
}

/** The value with every plain variable substituted, recursively (a variable may name another). */
export function resolveValue(value: unknown, scope: Scope, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new SkipItem(`variables refer to each other more than ${MAX_DEPTH} levels deep (a loop?)`);
  if (typeof value === 'string') return resolveString(value, scope, depth);
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, scope, depth));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, scope, depth)]));
  }
  return value;
}
