/**
 * Import, end to end with the real nx: a fresh Nx workspace installs the packed @mlops/gitops and
 * runs `init`, then imports a playbook shaped like seed 000's (infrastructure/ansible-playbook.yml
 * with helm-values/ and manifests/) and a helmfile with two environments. Each time: the tree
 * validates, every overlay holds the source's values, the HelmRelease keeps the Helm release, and
 * a second import writes nothing.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { createFreshWorkspace, FreshWorkspace, packPlugin } from './support/fresh-workspace';
import { describeWithKubectl, WORKSPACE_ROOT } from './support/workspace';

jest.setTimeout(15 * 60 * 1000);

const FIXTURES = join(WORKSPACE_ROOT, 'packages/gitops/fixtures/import');
const C = 'gitops/components';
const ENVS = ['development', 'staging', 'production'];
const fixture = (path: string) => parse(readFileSync(join(FIXTURES, path), 'utf8'));

describeWithKubectl('import e2e')('nx g @mlops/gitops:import in a fresh workspace after init', () => {
  let ws: FreshWorkspace;
  const values = (path: string) => parse(ws.read(path));
  const commit = (message: string) => ws.sh(`git add -A && git -c user.email=e2e@example.com -c user.name=e2e commit -qm "${message}"`);
  const status = () => ws.sh('git status --porcelain').stdout;
  const importSource = (path: string) => ws.nx(['g', '@mlops/gitops:import', path, '--no-interactive']);
  const validate = () => ws.nx(['run-many', '-t', 'validate', '--skip-nx-cache'], { allowFailure: true });

  beforeAll(() => {
    ws = createFreshWorkspace('gitops-import-');
    const tarball = packPlugin(join(ws.root, '.packed'));
    ws.sh(`npm install --save-dev ${tarball}`);
    ws.nx(['g', '@mlops/gitops:init', '--engines=flux,argocd', '--ci=none', '--no-interactive']);
    commit('init');
  });
  afterAll(() => ws?.remove());

  describe('a playbook shaped like seed 000', () => {
    let output: string;
    beforeAll(() => {
      cpSync(join(FIXTURES, 'ansible/infrastructure'), join(ws.root, 'infrastructure'), { recursive: true });
      commit('the push-based deployment');
      const r = importSource('infrastructure/ansible-playbook.yml');
      output = r.stdout + r.stderr;
    });

    it('writes a component per helm and k8s task, and reports what it skipped with file and line', () => {
      for (const dir of [
        'platform-operators/strimzi-kafka-operator',
        'platform-operators/minio-operator',
        'platform-operators/spark-operator',
        'observability/kube-prometheus-stack',
        'data-plane/kafka-cluster',
        'data-plane/minio-tenant',
      ]) {
        expect({ dir, exists: ws.exists(`${C}/${dir}/component.yaml`) }).toEqual({ dir, exists: true });
      }
      expect(output).toMatch(/infrastructure\/ansible-playbook\.yml:\d+ task 'Install MLflow': .* is templated beyond a plain variable/);
      expect(output).toMatch(/infrastructure\/ansible-playbook\.yml:\d+ task 'Remove the old Kafka UI': release_state: absent/);
    });

    it('the tree validates', () => {
      const r = validate();
      expect({ status: r.status, output: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
    });

    it("every overlay holds the source's values", () => {
      for (const env of ENVS) {
        expect(values(`${C}/platform-operators/strimzi-kafka-operator/overlays/${env}/values.yaml`)).toEqual(
          fixture('ansible/infrastructure/helm-values/strimzi-kafka-operator.yaml'),
        );
        expect(values(`${C}/platform-operators/spark-operator/overlays/${env}/values.yaml`)).toEqual(
          fixture('ansible/infrastructure/helm-values/spark-operator.yaml'),
        );
        expect(values(`${C}/observability/kube-prometheus-stack/overlays/${env}/values.yaml`)).toEqual({
          grafana: { enabled: true, defaultDashboardsTimezone: 'utc' },
          prometheus: { prometheusSpec: { retention: '15d', retentionSize: '40GB', replicas: 1 } },
          alertmanager: { enabled: false },
        });
      }
      const objects = parseAllDocuments(ws.read(`${C}/data-plane/kafka-cluster/base/manifests.yaml`)).map((d) => d.toJS());
      const source = parseAllDocuments(readFileSync(join(FIXTURES, 'ansible/infrastructure/manifests/kafka/kafka-cluster.yaml'), 'utf8')).map((d) =>
        d.toJS(),
      );
      expect(objects).toEqual(
        source.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: undefined } })).map((o) => JSON.parse(JSON.stringify(o))),
      );
    });

    it('Flux and Argo CD keep the Helm release the playbook installed', () => {
      expect(values(`${C}/platform-operators/minio-operator/base/helmrelease.yaml`).spec).toMatchObject({
        releaseName: 'minio-operator',
        targetNamespace: 'platform-operators',
        storageNamespace: 'platform-operators',
      });
      const app = values('gitops/clusters/staging/argocd/apps/minio-operator.yaml');
      expect(app.spec.sources[0].helm.releaseName).toBe('minio-operator');
    });

    it('a second import writes nothing', () => {
      commit('imported the playbook');
      importSource('infrastructure/ansible-playbook.yml');
      expect(status()).toBe('');
    });
  });

  describe('a helmfile with two environments', () => {
    beforeAll(() => {
      cpSync(join(FIXTURES, 'helmfile'), join(ws.root, 'deploy'), { recursive: true });
      commit('the helmfile');
      importSource('deploy/helmfile.yaml');
    });

    it('the tree validates', () => {
      const r = validate();
      expect({ status: r.status, output: r.status === 0 ? '' : r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
    });

    it("each environment's overlay holds that environment's values, and no other environment gets the release", () => {
      for (const env of ['staging', 'production']) {
        expect(values(`${C}/orchestration/postgresql/overlays/${env}/values.yaml`)).toEqual(
          mergeValues(fixture('helmfile/values/postgresql.yaml'), fixture(`helmfile/values/${env}/postgresql.yaml`)),
        );
        expect(values(`${C}/ml-lifecycle/mlflow/overlays/${env}/values.yaml`)).toEqual({
          ...mergeValues(fixture('helmfile/values/mlflow.yaml'), fixture(`helmfile/values/${env}/mlflow.yaml`)),
          tracking: { service: { type: 'ClusterIP' } },
        });
      }
      expect(ws.exists(`${C}/ml-lifecycle/mlflow/overlays/development`)).toBe(false);
      // postgresql from the helmfile's needs; minio-tenant from the mlflow blueprint, as the playbook import created it.
      // mlflow declares Secrets the platform provides, so it also waits for them.
      expect(values('gitops/clusters/production/flux/mlflow.yaml').spec.dependsOn).toEqual([
        { name: 'minio-tenant' },
        { name: 'platform-secrets' },
        { name: 'postgresql' },
      ]);
    });

    it('a second import writes nothing', () => {
      commit('imported the helmfile');
      importSource('deploy/helmfile.yaml');
      expect(status()).toBe('');
    });
  });
});

/** Helm's merge of two values files, written out here so the test does not trust the code it checks. */
function mergeValues(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const both = typeof v === 'object' && v && !Array.isArray(v) && typeof out[k] === 'object' && out[k] && !Array.isArray(out[k]);
    out[k] = both ? mergeValues(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
