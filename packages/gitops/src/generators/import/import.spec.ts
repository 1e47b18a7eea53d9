import { logger, Tree, workspaceRoot } from '@nx/devkit';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import componentGenerator from '../component/component';
import environmentGenerator from '../environment/environment';
import { changedFiles, createGitopsTree, snapshot } from '../shared/testing';
import importGenerator from './import';

// Each case builds a tree and imports a whole playbook (prettier included): on a loaded 2-core machine that exceeds Jest's 5 s default.
jest.setTimeout(60_000);

const FIXTURES = join(__dirname, '../../../fixtures/import');
const C = 'gitops/components';
const read = (tree: Tree, path: string) => parse(tree.read(path, 'utf-8')!);
const readFixture = (path: string) => parse(readFileSync(join(FIXTURES, path), 'utf8'));

/** Copies a fixture folder into the workspace at `to`. */
function copyFixture(tree: Tree, from: string, to: string): void {
  const dir = join(FIXTURES, from);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) copyFixture(tree, join(from, entry), `${to}/${entry}`);
    else tree.write(`${to}/${entry}`, readFileSync(path));
  }
}

/** Runs import and returns what it told the user. */
async function runImport(tree: Tree, options: Parameters<typeof importGenerator>[1]): Promise<string> {
  const lines: string[] = [];
  const spy = jest.spyOn(logger, 'info').mockImplementation((m) => void lines.push(String(m)));
  try {
    await importGenerator(tree, options);
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

const ENVS = ['development', 'staging', 'production'];

describe('import generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = await createGitopsTree();
  });

  describe('an Ansible playbook shaped like seed 000', () => {
    let report: string;
    beforeEach(async () => {
      copyFixture(tree, 'ansible', 'deploy');
      report = await runImport(tree, { path: 'deploy/infrastructure/ansible-playbook.yml' });
    });

    it('writes one component per helm task in the layer of the blueprint its chart matches', () => {
      const layers = Object.fromEntries(
        ['strimzi-kafka-operator', 'minio-operator', 'spark-operator', 'kube-prometheus-stack', 'kafka-cluster', 'minio-tenant'].map((n) => {
          const found = tree.children(C).filter((l) => tree.exists(`${C}/${l}/${n}/component.yaml`));
          return [n, found];
        }),
      );
      expect(layers).toEqual({
        'strimzi-kafka-operator': ['platform-operators'],
        'minio-operator': ['platform-operators'],
        'spark-operator': ['platform-operators'],
        'kube-prometheus-stack': ['observability'],
        'kafka-cluster': ['data-plane'],
        'minio-tenant': ['data-plane'],
      });
    });

    it('keeps the running Helm release: release name and namespaces pinned in the HelmRelease and component.yaml', () => {
      const dir = `${C}/platform-operators/strimzi-kafka-operator`;
      expect(read(tree, `${dir}/base/helmrelease.yaml`).spec).toMatchObject({
        releaseName: 'strimzi-kafka-operator',
        targetNamespace: 'platform-operators',
        storageNamespace: 'platform-operators',
      });
      expect(read(tree, `${dir}/component.yaml`)).toMatchObject({ releaseName: 'strimzi-kafka-operator', namespace: 'platform-operators' });
    });

    it('takes the version from vars_files and a nested play variable, in every environment', () => {
      for (const env of ENVS) {
        expect(read(tree, `${C}/platform-operators/strimzi-kafka-operator/overlays/${env}/version.yaml`).spec.chart.spec.version).toBe('0.48.0');
        expect(read(tree, `${C}/observability/kube-prometheus-stack/overlays/${env}/version.yaml`).spec.ref.tag).toBe('79.7.1');
      }
    });

    it("writes the source's values to every overlay: values_files merged in order, then release_values; the base holds none", () => {
      const strimzi = readFixture('ansible/infrastructure/helm-values/strimzi-kafka-operator.yaml');
      for (const env of ENVS) {
        expect(read(tree, `${C}/platform-operators/strimzi-kafka-operator/overlays/${env}/values.yaml`)).toEqual(strimzi);
        expect(read(tree, `${C}/observability/kube-prometheus-stack/overlays/${env}/values.yaml`)).toEqual({
          grafana: { enabled: true, defaultDashboardsTimezone: 'utc' },
          prometheus: { prometheusSpec: { retention: '15d', retentionSize: '40GB', replicas: 1 } },
          alertmanager: { enabled: false },
        });
        expect(read(tree, `${C}/platform-operators/minio-operator/overlays/${env}/values.yaml`)).toEqual({ operator: { replicaCount: 1 } });
      }
      expect(read(tree, `${C}/platform-operators/strimzi-kafka-operator/base/values.yaml`)).toEqual({});
      expect(read(tree, `${C}/platform-operators/spark-operator/overlays/staging/values.yaml`)).toEqual(
        readFixture('ansible/infrastructure/helm-values/spark-operator.yaml'),
      );
    });

    it('turns k8s src manifests into a plain-manifest component without namespaces, depending on the operator the blueprint names', () => {
      const objects = parseAllDocuments(tree.read(`${C}/data-plane/kafka-cluster/base/manifests.yaml`, 'utf-8')!).map((d) => d.toJS());
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}/${o.metadata.namespace ?? '-'}`)).toEqual([
        'KafkaNodePool/dual-role/-',
        'Kafka/mlops/-',
      ]);
      expect(read(tree, `${C}/data-plane/kafka-cluster/component.yaml`)).toMatchObject({
        kind: 'manifests',
        namespace: 'data-plane',
        dependsOn: ['strimzi-kafka-operator'],
      });
      expect(read(tree, `${C}/data-plane/minio-tenant/component.yaml`).dependsOn).toEqual(['minio-operator']);
      expect(read(tree, 'gitops/clusters/staging/flux/kafka-cluster.yaml').spec.dependsOn).toEqual([{ name: 'strimzi-kafka-operator' }]);
    });

    it('reports each release with its component, layer and environments, and each skipped task with file, line and reason', () => {
      const file = 'deploy/infrastructure/ansible-playbook.yml';
      const lineOf = (text: string) =>
        readFileSync(join(FIXTURES, 'ansible/infrastructure/ansible-playbook.yml'), 'utf8')
          .split('\n')
          .findIndex((l) => l.includes(text)) + 1;
      expect(report).toContain(
        'release strimzi-kafka-operator (chart strimzi-kafka-operator 0.48.0) -> component strimzi-kafka-operator, layer platform-operators',
      );
      expect(report).toContain('environments development, production, staging');
      expect(report).toContain(
        `${file}:${lineOf('- name: Install MLflow')} task 'Install MLflow': '{{ mlflow_version | default('1.7.1') }}' is templated beyond a plain variable`,
      );
      expect(report).toContain(
        `${file}:${lineOf('- name: Install Grafana')} task 'Install Grafana only where asked': runs only when 'install_grafana | bool'`,
      );
      expect(report).toContain(
        `${file}:${lineOf('- name: Remove the old Kafka UI')} task 'Remove the old Kafka UI': release_state: absent uninstalls 'kafka-ui'`,
      );
      expect(report).toContain(
        `${file}:${lineOf('- name: Apply the ingress by hand')} task 'Apply the ingress by hand': runs helm or kubectl from ansible.builtin.shell`,
      );
      expect(tree.exists(`${C}/ml-lifecycle/mlflow/component.yaml`)).toBe(false);
      expect(tree.exists(`${C}/observability/grafana/component.yaml`)).toBe(false);
    });

    it('changes nothing when the same playbook is imported again', async () => {
      const before = snapshot(tree);
      await runImport(tree, { path: 'deploy/infrastructure/ansible-playbook.yml' });
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });
  });

  describe("a role's tasks file", () => {
    let report: string;
    beforeEach(async () => {
      copyFixture(tree, 'ansible', 'deploy');
      report = await runImport(tree, { path: 'deploy/roles/processing/tasks/main.yml' });
    });

    it('reads the community collection names and the short names, repo_name included', () => {
      const dir = `${C}/platform-operators/flink-kubernetes-operator`;
      expect(read(tree, `${dir}/base/source.yaml`).spec.url).toBe('https://downloads.apache.org/flink/flink-kubernetes-operator-1.13.0/');
      expect(read(tree, `${dir}/overlays/production/values.yaml`)).toEqual({ watchNamespaces: ['processing-jobs'] });
      expect(read(tree, `${C}/processing-jobs/training-quota/base/manifests.yaml`)).toMatchObject({
        kind: 'ResourceQuota',
        metadata: { name: 'training-quota' },
      });
    });

    it('skips a local chart, a plaintext Secret and included tasks, saying why', () => {
      expect(report).toMatch(/main\.yml:\d+ task 'Install a chart from a local folder': chart_ref '\.\/charts\/feature-store' is a local chart/);
      expect(report).toMatch(/main\.yml:\d+ task 'Apply a credentials Secret': definition holds a plaintext Secret 'bucket-credentials'/);
      expect(report).toMatch(/main\.yml:\d+ task 'Shared tasks': ansible\.builtin\.include_tasks is not followed; import "common\.yml" itself/);
      expect(snapshot(tree)).not.toHaveProperty(`${C}/processing-jobs/bucket-credentials/component.yaml`);
    });
  });

  describe('a helmfile with two environments', () => {
    let report: string;
    beforeEach(async () => {
      copyFixture(tree, 'helmfile', 'deploy');
      report = await runImport(tree, { path: 'deploy/helmfile.yaml' });
    });

    it('deploys each release to the environments of the same name only, with that environment values files', () => {
      const pg = `${C}/orchestration/postgresql`;
      expect(tree.exists(`${pg}/overlays/development/kustomization.yaml`)).toBe(false);
      expect(read(tree, `${pg}/overlays/staging/values.yaml`)).toEqual({
        auth: { existingSecret: 'postgresql-auth', database: 'mlflow' },
        primary: { persistence: { size: '8Gi' }, resources: { requests: { cpu: '250m' } } },
      });
      expect(read(tree, `${pg}/overlays/production/values.yaml`)).toEqual({
        auth: { existingSecret: 'postgresql-auth', database: 'mlflow' },
        primary: { persistence: { size: '50Gi' }, resources: { requests: { cpu: '1' } } },
      });
      expect(read(tree, `${pg}/base/source.yaml`)).toMatchObject({
        kind: 'OCIRepository',
        spec: { url: 'oci://registry-1.docker.io/bitnamicharts/postgresql' },
      });
    });

    it('merges values files and inline maps in order, and turns needs into dependsOn', () => {
      const ml = `${C}/ml-lifecycle/mlflow`;
      expect(read(tree, `${ml}/overlays/production/values.yaml`)).toEqual({
        backendStore: { postgres: { enabled: true, host: 'postgresql.orchestration.svc' } },
        replicaCount: 2,
        tracking: { service: { type: 'ClusterIP' } },
      });
      expect(read(tree, `${ml}/component.yaml`).dependsOn).toEqual(['postgresql']);
      // mlflow declares Secrets the platform provides: it waits for them too.
      expect(read(tree, 'gitops/clusters/production/flux/mlflow.yaml').spec.dependsOn).toEqual([
        { name: 'platform-secrets' },
        { name: 'postgresql' },
      ]);
    });

    it('reports installed: false and other templating with their lines, and imports neither', () => {
      const text = readFileSync(join(FIXTURES, 'helmfile/helmfile.yaml'), 'utf8').split('\n');
      const line = (s: string) => text.findIndex((l) => l.includes(s)) + 1;
      expect(report).toContain(`deploy/helmfile.yaml:${line('- name: redis-operator')} release redis-operator: installed: false`);
      expect(report).toContain(
        `deploy/helmfile.yaml:${line('- name: mlflow-gateway')} release mlflow-gateway: version '{{ .Values.gatewayVersion }}' is templated`,
      );
      expect(report).toContain(
        'release mlflow (chart mlflow 1.7.1) -> component mlflow, layer ml-lifecycle, namespace ml-lifecycle, environments production, staging, dependsOn postgresql',
      );
      expect(tree.exists(`${C}/platform-operators/redis-operator/component.yaml`)).toBe(false);
    });

    it('changes nothing when imported again', async () => {
      const before = snapshot(tree);
      await runImport(tree, { path: 'deploy/helmfile.yaml' });
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });
  });

  describe('a helmfile environment the tree lacks', () => {
    it('is reported, and its releases go to the environments the tree has', async () => {
      tree.write('hf/v/qa.yaml', 'replicaCount: 3\n');
      tree.write('hf/v/staging.yaml', 'replicaCount: 1\n');
      tree.write(
        'hf/helmfile.yaml',
        'environments:\n  qa: {}\n  staging: {}\nrepositories:\n  - name: cc\n    url: https://community-charts.github.io/helm-charts\nreleases:\n  - name: mlflow\n    namespace: ml-lifecycle\n    chart: cc/mlflow\n    version: 1.7.1\n    values:\n      - v/{{ .Environment.Name }}.yaml\n',
      );
      const report = await runImport(tree, { path: 'hf/helmfile.yaml' });
      expect(report).toContain(
        "environment qa: the source deploys to 'qa', which the tree has no environment of; create it with 'nx g @mlops/gitops:environment qa'",
      );
      expect(read(tree, `${C}/ml-lifecycle/mlflow/overlays/staging/values.yaml`)).toEqual({ replicaCount: 1 });
      expect(tree.exists(`${C}/ml-lifecycle/mlflow/overlays/production/kustomization.yaml`)).toBe(false);
    });
  });

  describe('a values folder', () => {
    beforeEach(() => copyFixture(tree, 'values-dir', 'deploy'));

    it('imports one release: the shared file everywhere, each environment file merged over it', async () => {
      const report = await runImport(tree, { path: 'deploy/helm-values', release: 'airflow', namespace: 'orchestration' });
      const dir = `${C}/orchestration/airflow`;
      expect(read(tree, `${dir}/overlays/development/values.yaml`)).toEqual({ executor: 'KubernetesExecutor', webserver: { replicas: 1 } });
      expect(read(tree, `${dir}/overlays/staging/values.yaml`)).toEqual({ executor: 'CeleryExecutor', webserver: { replicas: 1 } });
      expect(read(tree, `${dir}/overlays/production/values.yaml`)).toEqual({ executor: 'KubernetesExecutor', webserver: { replicas: 2 } });
      // The chart comes from the catalog, as the component generator takes it.
      const catalogVersion = parse(readFileSync(join(workspaceRoot, 'generators/airflow.yaml'), 'utf8')).chart.version;
      expect(read(tree, `${dir}/overlays/production/version.yaml`).spec.chart.spec.version).toBe(catalogVersion);
      expect(report).toContain("deploy/helm-values/qa:1 folder qa/: no environment 'qa' in the tree");
    });

    it('asks which release when the folder holds several', async () => {
      await expect(runImport(tree, { path: 'deploy/helm-values' })).rejects.toThrow(
        'deploy/helm-values holds values of airflow, redis-operator; import one release at a time with --release <name>',
      );
    });

    it('takes --chart, --repo and --chart-version for a release the catalog does not know', async () => {
      tree.write('other/feast.yaml', 'replicas: 2\n');
      await runImport(tree, {
        path: 'other',
        chart: 'feast-feature-server',
        repo: 'https://feast-helm-charts.storage.googleapis.com',
        chartVersion: '0.40.0',
        defaultLayer: 'ml-lifecycle',
      });
      expect(read(tree, `${C}/ml-lifecycle/feast/overlays/staging/values.yaml`)).toEqual({ replicas: 2 });
      expect(read(tree, `${C}/ml-lifecycle/feast/base/helmrelease.yaml`).spec.storageNamespace).toBe('ml-lifecycle');
    });
  });

  describe('refusals: nothing is written', () => {
    const helmfile = (release: string) =>
      `repositories:\n  - name: cc\n    url: https://community-charts.github.io/helm-charts\nreleases:\n${release}`;

    it('a version range into an environment that pins versions, with the message of the component generator', async () => {
      tree.write('hf/helmfile.yaml', helmfile('  - name: mlflow\n    namespace: ml-lifecycle\n    chart: cc/mlflow\n    version: 1.7.x\n'));
      const before = snapshot(tree);
      await expect(runImport(tree, { path: 'hf/helmfile.yaml' })).rejects.toThrow(
        "Chart version '1.7.x' is a range, but production pins exact versions; give an exact version such as '1.2.3', or leave production out with --environments.",
      );
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('a chart no blueprint knows, in a namespace that is no layer, without --default-layer', async () => {
      tree.write('hf/helmfile.yaml', helmfile('  - name: feast\n    namespace: feast\n    chart: cc/feast\n    version: 0.40.0\n'));
      await expect(runImport(tree, { path: 'hf/helmfile.yaml' })).rejects.toThrow(
        "hf/helmfile.yaml:5: chart 'feast' of release 'feast' matches no blueprint of the catalog and namespace 'feast' is no layer's; give --default-layer",
      );
    });

    it('needs that point up a layer, with the layer rule message', async () => {
      tree.write(
        'hf/helmfile.yaml',
        helmfile(
          '  - name: redis-cache\n    namespace: platform-operators\n    chart: cc/redis\n    version: 1.0.0\n    needs: [mlflow]\n  - name: mlflow\n    namespace: ml-lifecycle\n    chart: cc/mlflow\n    version: 1.7.1\n',
        ),
      );
      await expect(runImport(tree, { path: 'hf/helmfile.yaml' })).rejects.toThrow(/redis-cache.*platform-operators.*mlflow.*ml-lifecycle/);
    });

    it('a release whose name an existing component of another chart has, with the refusal of the component generator', async () => {
      await componentGenerator(tree, { name: 'redis-operator' });
      const before = snapshot(tree);
      tree.write(
        'hf/helmfile.yaml',
        helmfile('  - name: redis-operator\n    namespace: platform-operators\n    chart: cc/redis-fork\n    version: 1.0.0\n'),
      );
      await expect(runImport(tree, { path: 'hf/helmfile.yaml', defaultLayer: 'platform-operators' })).rejects.toThrow(
        "Component 'redis-operator' already exists with chart 'redis-operator' from 'https://ot-container-kit.github.io/helm-charts/'; refusing chart 'redis-fork'",
      );
      expect(changedFiles(before, snapshot(tree))).toEqual([]);
    });

    it('needs that form a cycle', async () => {
      tree.write(
        'hf/helmfile.yaml',
        helmfile(
          '  - name: a\n    namespace: ml-lifecycle\n    chart: cc/a\n    version: 1.0.0\n    needs: [b]\n  - name: b\n    namespace: ml-lifecycle\n    chart: cc/b\n    version: 1.0.0\n    needs: [a]\n',
        ),
      );
      await expect(runImport(tree, { path: 'hf/helmfile.yaml' })).rejects.toThrow("the releases' needs form a cycle: a -> b -> a");
    });

    it('a source outside the workspace, and a file of no known format', async () => {
      await expect(runImport(tree, { path: '../elsewhere/playbook.yml' })).rejects.toThrow(
        "Source '../elsewhere/playbook.yml' must be a path inside the workspace",
      );
      tree.write('notes.yaml', 'title: not a deployment\n');
      await expect(runImport(tree, { path: 'notes.yaml' })).rejects.toThrow(
        'notes.yaml is neither an Ansible playbook or tasks file (a YAML list) nor a helmfile',
      );
    });

    it('a helmfile that is a Go template, at its line', async () => {
      tree.write('hf/helmfile.yaml', 'releases:\n{{ range .Values.apps }}\n  - name: {{ . }}\n{{ end }}\n');
      await expect(runImport(tree, { path: 'hf/helmfile.yaml', format: 'helmfile' })).rejects.toThrow(
        /^hf\/helmfile\.yaml:2:\d+: .*helmfile must be plain YAML/,
      );
    });
  });

  describe('with Argo CD', () => {
    it("the Application's helm.releaseName follows component.yaml's releaseName", async () => {
      await environmentGenerator(tree, { name: 'qa', engines: 'argocd' });
      copyFixture(tree, 'ansible', 'deploy');
      await runImport(tree, { path: 'deploy/infrastructure/ansible-playbook.yml', environments: 'qa' });
      const app = read(tree, 'gitops/clusters/qa/argocd/apps/spark-operator.yaml');
      expect(app.spec.sources[0].helm.releaseName).toBe('spark-operator');
      expect(app.spec.destination.namespace).toBe('platform-operators');
    });
  });
});
