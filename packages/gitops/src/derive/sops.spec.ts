/**
 * `.sops.yaml`: derived from platform.yaml `secrets.sops` and environment.yaml `sops` for the
 * environments whose Secrets come from sops, reconciled by the generators and `nx sync`, checked by drift.
 */
import { Tree } from '@nx/devkit';
import { parse } from 'yaml';
import { reconcileTree } from '../generators/shared/reconcile';
import { createPlatformTree } from '../generators/shared/testing';
import environmentGenerator from '../generators/environment/environment';
import { memoryReader } from '../validation/file-reader';
import { LoadedTree } from '../validation/stages/1-load';
import { checkDrift, layoutModel } from '../validation/stages/7-drift';
import { isDerivedRule } from './sops';

// Valid bech32 over all-zero / all-one bytes: obviously not anyone's key.
const FAKE_AGE = 'age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5cu47z';
const FAKE_AGE_2 = 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq';
const FAKE_PGP = '0000000000000000000000000000000000000000';
const PLATFORM = 'gitops/platform.yaml';
const env = (name: string) => `gitops/clusters/${name}/environment.yaml`;

/** platform.yaml with `secrets` replaced. */
function setPlatformSecrets(tree: Tree, secrets: string): void {
  const text = tree.read(PLATFORM, 'utf-8')!;
  tree.write(PLATFORM, text.replace(/^secrets:\n(  .*\n)+/m, `secrets:\n${secrets}`));
}

function rules(tree: Tree): Record<string, unknown>[] {
  return parse(tree.read('.sops.yaml', 'utf-8')!).creation_rules;
}

function workspaceFiles(tree: Tree): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (tree.isFile(path)) out[path] = tree.read(path, 'utf-8')!;
      else if (child !== 'node_modules') walk(path);
    }
  };
  walk('gitops');
  if (tree.exists('.sops.yaml')) out['.sops.yaml'] = tree.read('.sops.yaml', 'utf-8')!;
  return out;
}

function drift(tree: Tree, targets: string[]) {
  const loaded = new LoadedTree(memoryReader(workspaceFiles(tree)));
  return checkDrift(loaded, layoutModel(loaded.reader), targets);
}

describe('.sops.yaml', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await createPlatformTree(['kube-prometheus-stack']);
  }, 60_000);

  it('is absent while no environment uses sops', () => {
    expect(tree.exists('.sops.yaml')).toBe(false);
  });

  describe('a platform on sops', () => {
    beforeEach(() => {
      // staging runs Argo CD as well, where sops is refused: it keeps External Secrets.
      tree.write(env('staging'), tree.read(env('staging'), 'utf-8')! + 'secretsProvider: external-secrets\n');
      setPlatformSecrets(tree, `  provider: sops\n  store: platform-secrets\n  sops:\n    age: [${FAKE_AGE}]\n`);
      tree.write(env('production'), tree.read(env('production'), 'utf-8')! + `sops:\n  age: [${FAKE_AGE_2}]\n  pgp: ['${FAKE_PGP}']\n`);
      reconcileTree(tree);
    });

    it("has one creation rule per sops environment: its secrets folder, only data and stringData, that environment's recipients", () => {
      expect(rules(tree)).toEqual([
        {
          path_regex: '^gitops/clusters/development/secrets/[^/]+\\.[^/]+\\.yaml$',
          encrypted_regex: '^(data|stringData)$',
          age: FAKE_AGE,
        },
        {
          path_regex: '^gitops/clusters/production/secrets/[^/]+\\.[^/]+\\.yaml$',
          encrypted_regex: '^(data|stringData)$',
          age: FAKE_AGE_2,
          pgp: FAKE_PGP,
        },
      ]);
      expect(tree.read('.sops.yaml', 'utf-8')).toMatch(/^# Creation rules of sops/);
    });

    it("matches the environment's Secret files, as sops does (Go's RE2 and JS agree on these), and not its kustomization.yaml", () => {
      const [development] = rules(tree);
      const regex = new RegExp(String(development.path_regex));
      expect(regex.test('gitops/clusters/development/secrets/observability.grafana-admin.yaml')).toBe(true);
      expect(regex.test('gitops/clusters/development/secrets/kustomization.yaml')).toBe(false);
      expect(regex.test('gitops/clusters/production/secrets/observability.grafana-admin.yaml')).toBe(false);
      expect(regex.test('gitops/clusters/development/secrets/nested/a.b.yaml')).toBe(false);
    });

    it('the Flux Kustomization applying the Secrets decrypts them with the sops-age key', () => {
      for (const name of ['development', 'production']) {
        const entry = parse(tree.read(`gitops/clusters/${name}/flux/platform-secrets.yaml`, 'utf-8')!);
        expect(entry.spec.decryption).toEqual({ provider: 'sops', secretRef: { name: 'sops-age' } });
      }
      expect(parse(tree.read('gitops/clusters/staging/flux/platform-secrets.yaml', 'utf-8')!).spec.decryption).toBeUndefined();
    });

    it('a new environment gets its rule from the generator', async () => {
      await environmentGenerator(tree, { name: 'qa' });
      expect(rules(tree).map((r) => r.path_regex)).toContain('^gitops/clusters/qa/secrets/[^/]+\\.[^/]+\\.yaml$');
    });

    it('keeps the rules a person added for other paths, after the derived ones, and the other keys of the file', () => {
      const text = tree.read('.sops.yaml', 'utf-8')!;
      tree.write('.sops.yaml', text + `  - path_regex: ^secrets/local/.*\\.yaml$\n    age: ${FAKE_AGE}\nstores:\n  yaml:\n    indent: 2\n`);
      setPlatformSecrets(tree, `  provider: sops\n  store: platform-secrets\n  sops:\n    age: [${FAKE_AGE_2}]\n`);
      reconcileTree(tree);
      const file = parse(tree.read('.sops.yaml', 'utf-8')!);
      expect(file.creation_rules.map((r: { age: string }) => r.age)).toEqual([FAKE_AGE_2, FAKE_AGE_2, FAKE_AGE]);
      expect(file.creation_rules[2].path_regex).toBe('^secrets/local/.*\\.yaml$');
      expect(file.stores).toEqual({ yaml: { indent: 2 } });
      expect(tree.read('.sops.yaml', 'utf-8')).toMatch(/^# Creation rules of sops/);
    });

    it('goes when no environment uses sops any more, unless a person added rules, which stay alone', () => {
      setPlatformSecrets(tree, `  provider: external-secrets\n  store: platform-secrets\n`);
      tree.write(env('production'), tree.read(env('production'), 'utf-8')!.replace(/^sops:\n(  .*\n)+/m, ''));
      const withHandRule = tree.read('.sops.yaml', 'utf-8')! + `  - path_regex: ^secrets/local/.*\\.yaml$\n    age: ${FAKE_AGE}\n`;
      reconcileTree(tree);
      expect(tree.exists('.sops.yaml')).toBe(false);
      tree.write('.sops.yaml', withHandRule);
      reconcileTree(tree);
      expect(rules(tree)).toEqual([{ path_regex: '^secrets/local/.*\\.yaml$', age: FAKE_AGE }]);
    });

    it('drift: a changed recipient fails the validation of the environments it serves, at .sops.yaml', () => {
      tree.write('.sops.yaml', tree.read('.sops.yaml', 'utf-8')!.replace(FAKE_AGE_2, FAKE_AGE));
      expect(drift(tree, ['gitops/clusters/staging'])).toEqual([]);
      expect(drift(tree, ['gitops/clusters/staging', 'gitops/clusters/production'])).toEqual([
        expect.objectContaining({
          target: 'gitops/clusters/production',
          file: '.sops.yaml',
          rule: 'derived-drift',
          message: expect.stringContaining('creation_rules is '),
        }),
      ]);
      reconcileTree(tree);
      expect(drift(tree, ['gitops/clusters/production'])).toEqual([]);
    });
  });

  describe('refused', () => {
    it('a sops environment without recipients, naming the file and key to set', async () => {
      setPlatformSecrets(tree, `  provider: external-secrets\n  store: platform-secrets\n`);
      tree.write(env('production'), tree.read(env('production'), 'utf-8')! + 'secretsProvider: sops\n');
      await expect(environmentGenerator(tree, { name: 'qa' })).rejects.toThrow(
        "Environment 'production' gets its Secrets from sops but names no recipient to encrypt them for; set 'secrets.sops.age' in gitops/platform.yaml (or 'sops.age' in gitops/clusters/production/environment.yaml for this environment alone)",
      );
      expect(tree.exists('.sops.yaml')).toBe(false);
    });

    it('a recipient that is not an age public key', async () => {
      setPlatformSecrets(tree, `  provider: sops\n  sops:\n    age: [age1notakey]\n`);
      await expect(environmentGenerator(tree, { name: 'qa' })).rejects.toThrow(
        "gitops/platform.yaml: secrets.sops.age: 'age1notakey' is not an age recipient: it is not bech32",
      );
    });
  });

  it('recognises its own rules by their path_regex only', () => {
    expect(isDerivedRule({ path_regex: '^gitops/clusters/qa/secrets/[^/]+\\.[^/]+\\.yaml$' })).toBe(true);
    expect(isDerivedRule({ path_regex: '^gitops/clusters/qa/secrets/.*\\.yaml$' })).toBe(false);
    expect(isDerivedRule({ path_regex: '^gitops/clusters/../secrets/[^/]+\\.[^/]+\\.yaml$' })).toBe(false);
    expect(isDerivedRule({ age: FAKE_AGE })).toBe(false);
  });
});
