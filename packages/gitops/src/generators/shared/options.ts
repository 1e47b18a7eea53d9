/** Option parsing shared by the generators. */
import { EnvironmentSettings } from '../../model/environment-settings';
import { GitopsInputError } from '../../model/vocabulary';
import { environmentNames } from './workspace';

/** A list option: an array from Nx Console or `a,b` from the command line. */
export function parseList(value: string[] | string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  return [...new Set(items.map((v) => v.trim()).filter(Boolean))];
}

export function pickEnvironments(all: EnvironmentSettings[], requested: string[] | undefined): EnvironmentSettings[] {
  if (all.length === 0) {
    throw new GitopsInputError(`No environment exists yet; create one first with 'nx g @mlops/gitops:environment development'.`);
  }
  if (requested === undefined || requested.length === 0) return all;
  return requested.map((name) => {
    const env = all.find((e) => e.name === name);
    if (!env) throw new GitopsInputError(`Environment '${name}' does not exist; existing environments: ${environmentNames(all)}.`);
    return env;
  });
}

/** A short list for messages: long lists are cut, saying how many were left out. */
export function listForMessage(names: string[], max = 15): string {
  if (names.length === 0) return '(none)';
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
