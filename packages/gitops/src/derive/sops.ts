/**
 * `.sops.yaml` at the workspace root: one creation rule per environment whose Secrets come from
 * sops, so `sops --encrypt --in-place gitops/clusters/<env>/secrets/<namespace>.<name>.yaml` encrypts
 * that environment's Secrets for that environment's recipients (platform.yaml `secrets.sops`,
 * replaced by environment.yaml `sops`), and only their `data` / `stringData` (as Flux's SOPS guide
 * recommends: the rest of the Secret stays readable for kustomize and review).
 *
 * sops reads the first rule whose path_regex matches the file's path relative to this file's
 * folder. The tool's rules are recognised by their path_regex (this formula); rules a person wrote
 * for other paths are kept, after the tool's. Without any SOPS environment the tool's rules go, and
 * so does the file when nothing else is left in it.
 */
import { EnvironmentSettings } from '../model/environment-settings';
import { environmentFile, platformFile, SOPS_CONFIG_FILE, sopsSecretsPathRegex } from '../model/layout';
import { SopsRecipients } from '../model/sops';
import { readYaml } from '../model/yaml-io';
import { DesiredFile, field } from './desired';
import type { Obsolete } from './reconcile';
import { TreeView } from './tree-view';

/** Flux's guide: encrypt only the values of a Secret. */
export const SOPS_ENCRYPTED_REGEX = '^(data|stringData)$';

export interface CreationRule {
  path_regex: string;
  encrypted_regex: string;
  /** Comma-separated, the form every sops 3.x reads (lists only from 3.10 on). */
  age?: string;
  pgp?: string;
}

export interface SopsConfigState {
  files: DesiredFile[];
  obsolete: Obsolete[];
}

const ENV_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether a creation rule is one derive writes: its path_regex is the formula for some environment. */
export function isDerivedRule(rule: unknown): boolean {
  const regex = (rule as { path_regex?: unknown } | null)?.path_regex;
  if (typeof regex !== 'string') return false;
  const [before, after] = sopsSecretsPathRegex('\0').split('\0');
  if (!regex.startsWith(before) || !regex.endsWith(after) || regex.length <= before.length + after.length) return false;
  return ENV_NAME.test(regex.slice(before.length, regex.length - after.length));
}

export function creationRule(env: string, recipients: SopsRecipients): CreationRule {
  return {
    path_regex: sopsSecretsPathRegex(env),
    encrypted_regex: SOPS_ENCRYPTED_REGEX,
    ...(recipients.age.length ? { age: recipients.age.join(',') } : {}),
    ...(recipients.pgp.length ? { pgp: recipients.pgp.join(',') } : {}),
  };
}

interface Existing {
  /** Rules a person wrote (not the tool's formula), in their order. */
  handRules: unknown[];
  /** Nothing in the file but the tool's rules: it may be deleted. */
  onlyDerived: boolean;
  hasDerived: boolean;
}

function readExisting(view: TreeView): Existing | undefined {
  const text = view.read(SOPS_CONFIG_FILE);
  if (text === null) return undefined;
  let raw: unknown;
  try {
    raw = readYaml<unknown>(SOPS_CONFIG_FILE, text);
  } catch {
    // Not YAML: reconcile rewrites it when it is wanted, and it is left alone when it is not.
    return { handRules: [], onlyDerived: false, hasDerived: false };
  }
  const o = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const rules = Array.isArray(o.creation_rules) ? o.creation_rules : [];
  const handRules = rules.filter((r) => !isDerivedRule(r));
  const otherKeys = Object.keys(o).filter((k) => k !== 'creation_rules');
  return { handRules, hasDerived: handRules.length < rules.length, onlyDerived: handRules.length === 0 && otherKeys.length === 0 };
}

/**
 * The desired `.sops.yaml` for the environments (every environment of the tree, resolved). `environments`
 * of the result name the environments whose validation checks it.
 */
export function deriveSopsConfig(view: TreeView, envs: EnvironmentSettings[]): SopsConfigState {
  const sopsEnvs = envs.filter((e) => e.secrets === 'sops' && e.sopsRecipients).sort((a, b) => a.name.localeCompare(b.name));
  const existing = readExisting(view);
  if (sopsEnvs.length === 0) {
    if (!existing?.hasDerived) return { files: [], obsolete: [] };
    const reason = `no environment gets its Secrets from sops (${platformFile()} secrets.provider, environment.yaml secretsProvider)`;
    if (existing.onlyDerived) return { files: [], obsolete: [{ path: SOPS_CONFIG_FILE, reason, environments: envs.map((e) => e.name) }] };
    return {
      files: [
        sopsFile(
          envs.map((e) => e.name),
          [],
          existing.handRules,
          reason,
        ),
      ],
      obsolete: [],
    };
  }
  const rules = sopsEnvs.map((e) => creationRule(e.name, e.sopsRecipients!));
  const source =
    `${platformFile()} secrets.sops and the sops of ${sopsEnvs.map((e) => environmentFile(e.name)).join(', ')} ` +
    `(the environments whose Secrets come from sops), then the rules written by hand`;
  return {
    files: [
      sopsFile(
        sopsEnvs.map((e) => e.name),
        rules,
        existing?.handRules ?? [],
        source,
      ),
    ],
    obsolete: [],
  };
}

function sopsFile(environments: string[], rules: CreationRule[], handRules: unknown[], source: string): DesiredFile {
  return {
    path: SOPS_CONFIG_FILE,
    environments,
    header:
      `Creation rules of sops (it finds this file from the working directory upward; path_regex matches a path relative to this folder).\n` +
      `The rules for gitops/clusters/<env>/secrets are derived by @mlops/gitops from ${platformFile()} secrets.sops and environment.yaml sops:\n` +
      `run nx sync after changing a recipient, then sops updatekeys on each file. Rules you add after them are kept.`,
    documents: [{ object: { creation_rules: [...rules, ...handRules] }, fields: field(source, ['creation_rules']) }],
  };
}
