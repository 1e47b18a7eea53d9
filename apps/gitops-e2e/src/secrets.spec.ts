/**
 * End to end: no Secret of the live tree is referenced without being provided. Every Secret name
 * the blueprints declare that a values file or manifest references has its provider's object in
 * every environment deploying the component, and every reference to a Secret in values and
 * manifests is declared. Deleting one provider object fails `validate` with secret-missing.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { createTempWorkspace, describeWithKubectl, WORKSPACE_ROOT } from './support/workspace';

interface Declared {
  component: string;
  dir: string;
  name: string;
  namespace: string;
  providedBy?: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(join(WORKSPACE_ROOT, dir)).flatMap((f) => {
    const path = `${dir}/${f}`;
    return statSync(join(WORKSPACE_ROOT, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

const read = (path: string) => readFileSync(join(WORKSPACE_ROOT, path), 'utf-8');

function declaredSecrets(): Declared[] {
  return filesUnder('gitops/components')
    .filter((f) => f.endsWith('/component.yaml'))
    .flatMap((file) => {
      const c = parse(read(file));
      return (c.secrets ?? []).map((s: Record<string, string>) => ({
        component: c.name,
        dir: file.slice(0, -'/component.yaml'.length),
        name: s.name,
        namespace: s.namespace ?? c.namespace,
        providedBy: s.providedBy,
      }));
    });
}

/** Every string in a parsed document, with the keys that lead to it. */
function strings(value: unknown, path: string[] = []): { path: string[]; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, path));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

/** Where values and manifests name a Secret: `…SecretName`, `secretName`, `existingSecret`, or `name` under `…Secret` / MinIO's `configuration`. */
function isSecretReference(path: string[]): boolean {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  if (/secretName$|^existingSecret$/i.test(key ?? '')) return true;
  return key === 'name' && /secret$|^configuration$/i.test(parent ?? '');
}

/** Values files and manifests of the components (kustomizations, chart sources and version patches name no Secret). */
const valuesAndManifests = () => filesUnder('gitops/components').filter((f) => /\/(values|manifests|size)\.yaml$/.test(f));
const componentDirOf = (file: string) => file.split('/').slice(0, 4).join('/');

function providerObjects(env: string): Set<string> {
  const dir = `gitops/clusters/${env}/secrets`;
  const found = new Set<string>();
  for (const f of filesUnder(dir).filter((p) => !p.endsWith('/kustomization.yaml'))) {
    for (const d of parseAllDocuments(read(f))) {
      const o = d.toJS();
      if (['ExternalSecret', 'SealedSecret'].includes(o.kind) || (o.kind === 'Secret' && o.sops))
        found.add(`${o.metadata.namespace}/${o.metadata.name}`);
    }
  }
  return found;
}

describe('the Secrets of the live tree', () => {
  const declared = declaredSecrets();
  const environments = readdirSync(join(WORKSPACE_ROOT, 'gitops/clusters'));
  const referenced = valuesAndManifests().flatMap((file) =>
    parseAllDocuments(read(file)).flatMap((d) => strings(d.toJS()).map((s) => ({ file, dir: componentDirOf(file), ...s }))),
  );

  it('each declared Secret a values file or manifest references has its provider object in every environment that deploys the component', () => {
    const missing: string[] = [];
    const checked = new Set<string>();
    for (const secret of declared.filter((s) => !s.providedBy)) {
      if (!referenced.some((r) => r.dir === secret.dir && r.value === secret.name)) continue;
      const deployedIn = environments.filter((e) => statSync(join(WORKSPACE_ROOT, secret.dir, 'overlays', e), { throwIfNoEntry: false }));
      for (const env of deployedIn) {
        const key = `${secret.namespace}/${secret.name}`;
        checked.add(`${env}:${key}`);
        if (!providerObjects(env).has(key)) missing.push(`${env}: ${key} (${secret.component})`);
      }
    }
    expect(missing).toEqual([]);
    // Airflow's three keys, MLflow's two Secrets, MLflow's role in both namespaces, Grafana's admin and MinIO's root credentials: 8, in 3 environments.
    expect(checked.size).toBe(8 * 3);
  });

  it('every Secret a values file or manifest names is declared by its component (or as created by an operator)', () => {
    const names = new Set(declared.map((s) => `${s.dir}:${s.name}`));
    const undeclared = referenced
      .filter((r) => isSecretReference(r.path) && !names.has(`${r.dir}:${r.value}`))
      .map((r) => `${r.file}: ${r.path.join('.')}: ${r.value}`);
    expect(referenced.filter((r) => isSecretReference(r.path)).length).toBe(11);
    expect(undeclared).toEqual([]);
  });
});

describeWithKubectl('secret-missing e2e')('validate on a tree missing a provider object', () => {
  it('deleting the ExternalSecret of mlflow-s3 in staging fails with secret-missing at the declaration', () => {
    const ws = createTempWorkspace({ prefix: 'gitops-secrets-' });
    try {
      rmSync(join(ws.root, 'gitops/clusters/staging/secrets/ml-lifecycle.mlflow-s3.yaml'));
      const r = ws.run(process.execPath, ['packages/gitops/dist/cli/main.js', 'validate', '.', '--format', 'json'], { allowFailure: true });
      expect(r.status).not.toBe(0);
      const missing = JSON.parse(r.stdout).findings.filter((f: { rule: string }) => f.rule === 'secret-missing');
      const component = ws.read('gitops/components/ml-lifecycle/mlflow/component.yaml').split('\n');
      expect(missing).toEqual([
        expect.objectContaining({
          file: 'gitops/components/ml-lifecycle/mlflow/component.yaml',
          line: component.findIndex((l) => l.includes('- name: mlflow-s3')) + 1,
          severity: 'error',
          message:
            "Secret 'mlflow-s3' (namespace ml-lifecycle) that mlflow declares has no ExternalSecret, SealedSecret or SOPS-encrypted Secret in staging (external-secrets); expected in gitops/clusters/staging/secrets/ml-lifecycle.mlflow-s3.yaml.",
        }),
      ]);
    } finally {
      ws.remove();
    }
  }, 120_000);
});
