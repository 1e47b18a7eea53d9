import { memoryReader } from '../file-reader';
import { LoadedTree } from './1-load';
import { checkPolicy, imageTag, PolicyOptions, ScopePolicy } from './6-policy';
import { writtenSubjects } from './subject';

const PRODUCTION: ScopePolicy = { pinned: true, manual: true, severity: 'error' };

/** Checks one file's objects as written in environment `env` (production policy unless told otherwise; null: no policy). */
function check(text: string, env = 'production', policy: ScopePolicy | null = PRODUCTION, extra: Partial<PolicyOptions> = {}) {
  const tree = new LoadedTree(memoryReader({ 'app/objects.yaml': text }));
  const subjects = writtenSubjects(tree, 'app/objects.yaml', { scope: env, env });
  return checkPolicy(subjects, tree, { policyOf: (e) => (e === env && policy ? policy : undefined), leastPrivilege: false, ...extra });
}

const rules = (findings: { rule: string }[]) => findings.map((f) => f.rule);

describe('stage 6, policy', () => {
  describe('plaintext Secrets', () => {
    it('refuses a plain Secret with a hint to seal or encrypt it', () => {
      const findings = check(
        'apiVersion: v1\nkind: Secret\nmetadata: { name: token, namespace: apps }\nstringData: { password: hunter2 }\n',
        'development',
      );
      expect(findings).toEqual([
        expect.objectContaining({
          rule: 'plaintext-secret',
          line: 1,
          message: "Secret 'apps/token' is committed in plain text.",
          hint: expect.stringContaining('SealedSecret'),
        }),
      ]);
    });

    it('accepts a SOPS-encrypted Secret and a SealedSecret', () => {
      expect(check('apiVersion: v1\nkind: Secret\nmetadata: { name: t }\ndata: { p: ENC }\nsops: { version: 3.8.1 }\n', 'development')).toEqual([]);
      expect(
        check('apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: { name: t }\nspec: { encryptedData: { p: AgB } }\n', 'development'),
      ).toEqual([]);
    });
  });

  describe('image tags', () => {
    const deployment = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n`;

    it('refuses the latest tag at the image line', () => {
      expect(check(deployment('nginx:latest'), 'development')).toEqual([
        expect.objectContaining({
          rule: 'image-latest',
          severity: 'error',
          line: 9,
          message: "spec.template.spec.containers[0].image of Deployment/web is 'nginx:latest', which uses the latest tag.",
        }),
      ]);
    });

    it('warns about an untagged image and accepts versions and digests', () => {
      expect(check(deployment('nginx'), 'development')).toEqual([expect.objectContaining({ rule: 'image-latest', severity: 'warning' })]);
      expect(check(deployment('registry:5000/nginx:1.27.0'), 'development')).toEqual([]);
      expect(check(deployment('nginx@sha256:0123abcd'), 'development')).toEqual([]);
    });

    it('leaves image fields that do not run alone: an ImageRepository scans an untagged repository', () => {
      expect(
        check(
          'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata: { name: podinfo }\nspec: { image: ghcr.io/stefanprodan/podinfo, interval: 5m }\n',
          'development',
        ),
      ).toEqual([]);
    });

    it('refuses a latest image value of a chart', () => {
      const release =
        'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: web }\nspec:\n  values:\n    image:\n      repository: nginx\n      tag: latest\n';
      expect(check(release, 'development')).toEqual([
        expect.objectContaining({ rule: 'image-latest', line: 8, message: "spec.values.image.tag of HelmRelease/web is 'latest'." }),
      ]);
    });

    it('reads the tag after a registry port correctly', () => {
      expect(imageTag('registry:5000/team/app')).toBeUndefined();
      expect(imageTag('registry:5000/team/app:2.1')).toBe('2.1');
    });
  });

  describe('deprecated and removed apiVersions (data/deprecated-apis.yaml)', () => {
    const object = (apiVersion: string, kind: string) =>
      check(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: x }\nspec: {}\n`, 'development');

    it('refuses a removed apiVersion as an error and names the one to use with its source', () => {
      expect(object('helm.toolkit.fluxcd.io/v2beta1', 'HelmRelease')).toEqual([
        expect.objectContaining({
          rule: 'deprecated-api',
          severity: 'error',
          line: 1,
          message: "HelmRelease 'x' uses removed apiVersion 'helm.toolkit.fluxcd.io/v2beta1', which is no longer served.",
          hint: 'Use helm.toolkit.fluxcd.io/v2 (flux migrate, Flux 2.7+).',
        }),
      ]);
      expect(object('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema')).toEqual([
        expect.objectContaining({ severity: 'error', hint: 'Use flowcontrol.apiserver.k8s.io/v1 (the Kubernetes deprecation guide).' }),
      ]);
      expect(object('image.toolkit.fluxcd.io/v1beta2', 'ImagePolicy')).toEqual([
        expect.objectContaining({ severity: 'error', hint: expect.stringMatching(/^Use image\.toolkit\.fluxcd\.io\/v1 /) }),
      ]);
    });

    it('warns about an apiVersion still served, and accepts one that has no successor', () => {
      expect(object('external-secrets.io/v1beta1', 'ExternalSecret')).toEqual([
        expect.objectContaining({ severity: 'warning', message: expect.stringContaining('deprecated apiVersion') }),
      ]);
      expect(object('external-secrets.io/v1alpha1', 'PushSecret')).toEqual([]);
      expect(object('image.toolkit.fluxcd.io/v1', 'ImageRepository')).toEqual([]);
    });
  });

  describe('AppProjects in our layout', () => {
    const project = (spec: string) =>
      check(`apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: apps, namespace: argocd }\nspec:\n${spec}`, 'development', null, {
        leastPrivilege: true,
      });

    it('refuses a project opened to * at the entry that opens it', () => {
      const findings = project(
        "  sourceRepos: ['https://github.com/example/platform.git', '*']\n  destinations:\n    - { server: https://kubernetes.default.svc, namespace: '*' }\n  clusterResourceWhitelist:\n    - { group: '*', kind: '*' }\n",
      );
      expect(findings.map((f) => [f.rule, f.line, f.message])).toEqual([
        ['appproject-open', 5, "AppProject 'argocd/apps' allows any source repository ('*' at spec.sourceRepos[1])."],
        ['appproject-open', 7, "AppProject 'argocd/apps' allows any destination namespace ('*' at spec.destinations[0].namespace)."],
        ['appproject-open', 9, "AppProject 'argocd/apps' allows every cluster-scoped resource ('*' at spec.clusterResourceWhitelist[0])."],
      ]);
    });

    it('accepts a project that names what it needs, and leaves other trees alone', () => {
      expect(
        project(
          '  sourceRepos: [https://github.com/example/platform.git]\n  destinations: [{ server: https://kubernetes.default.svc, namespace: apps }]\n',
        ),
      ).toEqual([]);
      expect(
        check("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: apps }\nspec: { sourceRepos: ['*'] }\n", 'development'),
      ).toEqual([]);
    });
  });

  describe('a pinned, manually synced environment', () => {
    const release = (version: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: airflow }\nspec:\n  chart:\n    spec:\n      chart: airflow\n      version: "${version}"\n`;

    it('refuses a floating chart version at the version line, and accepts an exact one', () => {
      expect(check(release('1.x'))).toEqual([
        expect.objectContaining({
          rule: 'production-unpinned',
          severity: 'error',
          line: 8,
          message: "HelmRelease 'airflow' in environment 'production' uses chart version '1.x', which is not exact.",
        }),
      ]);
      expect(check(release('1.15.0'))).toEqual([]);
    });

    it('lets lower environments float', () => {
      expect(check(release('>=1.0.0'), 'development', null)).toEqual([]);
    });

    it('refuses an OCIRepository that follows a semver range', () => {
      const oci =
        'apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: { name: podinfo }\nspec:\n  url: oci://ghcr.io/x\n  ref:\n    semver: ">=6.0.0"\n';
      expect(check(oci)).toEqual([
        expect.objectContaining({ rule: 'production-unpinned', line: 6, message: expect.stringContaining("uses ref '>=6.0.0'") }),
      ]);
    });

    it('refuses an Argo CD Application that syncs automatically or floats its chart', () => {
      const app = [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: airflow, namespace: argocd }',
        'spec:',
        '  source: { repoURL: https://charts.example.com, chart: airflow, targetRevision: 1.* }',
        '  syncPolicy:',
        '    automated: { prune: true, selfHeal: true }',
        '',
      ].join('\n');
      const findings = check(app);
      expect(rules(findings).sort()).toEqual(['production-auto-sync', 'production-unpinned']);
      expect(findings.find((f) => f.rule === 'production-auto-sync')).toEqual(
        expect.objectContaining({
          line: 7,
          message: "Application 'argocd/airflow' syncs automatically, but environment 'production' is synced manually.",
        }),
      );
    });

    it('refuses a Flux Kustomization that reconciles from the branch (flux-system), at its sourceRef; a release source or a suspend passes', () => {
      const ks = (name: string, source: string, suspend = '') =>
        `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: ${name}, namespace: flux-system }\nspec:\n  path: ./x\n  sourceRef: { kind: GitRepository, name: ${source} }\n${suspend}`;
      expect(check(ks('airflow', 'flux-system'))).toEqual([
        expect.objectContaining({
          rule: 'production-auto-sync',
          line: 6,
          message:
            "Flux Kustomization 'flux-system/airflow' reconciles from the branch (GitRepository flux-system), but environment 'production' is synced manually.",
        }),
      ]);
      expect(check(ks('airflow', 'gitops-release'))).toEqual([]);
      expect(check(ks('airflow', 'flux-system', '  suspend: true\n'))).toEqual([]);
      expect(check(ks('flux-system', 'flux-system'))).toEqual([]);
    });

    describe('the root app-of-apps of a manually synced Argo CD environment', () => {
      // Two documents, as the generators write root.yaml: the root's own AppProject, then the root app.
      const ROOT = [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: AppProject',
        'metadata: { name: gitops-root, namespace: argocd }',
        'spec:',
        '  sourceRepos: [https://github.com/example/gitops.git]',
        '  destinations: [{ server: https://kubernetes.default.svc, namespace: argocd }]',
        '  namespaceResourceWhitelist: [{ group: argoproj.io, kind: Application }, { group: argoproj.io, kind: AppProject }]',
        '  clusterResourceWhitelist: []',
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: root-production, namespace: argocd }',
        'spec:',
        '  project: gitops-root',
        '  source: { repoURL: https://github.com/example/gitops.git, targetRevision: main, path: gitops/clusters/production/argocd/apps }',
        '  syncPolicy:',
        '    automated: { prune: false, selfHeal: false }',
        '',
      ].join('\n');
      const APP = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: airflow }\nspec: { project: orchestration }\n';
      const PROJECT = 'apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: { name: orchestration }\nspec: {}\n';

      function checkRoot(apps: Record<string, string>) {
        const files = {
          'gitops/clusters/production/argocd/root.yaml': ROOT,
          ...Object.fromEntries(Object.entries(apps).map(([f, t]) => [`gitops/clusters/production/argocd/apps/${f}`, t])),
        };
        const tree = new LoadedTree(memoryReader(files));
        const subjects = writtenSubjects(tree, 'gitops/clusters/production/argocd/root.yaml', { scope: 'production', env: 'production' });
        return checkPolicy(subjects, tree, { policyOf: () => PRODUCTION, leastPrivilege: false });
      }

      it('may sync automatically: it only creates the Applications and AppProjects, which sync manually themselves', () => {
        expect(checkRoot({ 'airflow.yaml': APP, 'project-orchestration.yaml': PROJECT })).toEqual([]);
      });

      it('loses the exemption when its folder deploys anything else, or does not exist', () => {
        const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: {}\n';
        expect(checkRoot({ 'airflow.yaml': APP, 'web.yaml': deployment })).toEqual([
          expect.objectContaining({
            rule: 'production-auto-sync',
            line: 17,
            message: "Application 'argocd/root-production' syncs automatically, but environment 'production' is synced manually.",
          }),
        ]);
        expect(rules(checkRoot({}))).toEqual(['production-auto-sync']);
      });
    });

    describe('Argo CD chart sources from an OCI registry', () => {
      const ociApp = (revision: string) =>
        [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: Application',
          'metadata: { name: postgresql, namespace: argocd }',
          'spec:',
          '  sources:',
          '    - repoURL: oci://registry-1.docker.io/bitnamicharts/postgresql',
          `      targetRevision: ${revision}`,
          "      path: '.'",
          '    - { repoURL: https://github.com/example/gitops.git, targetRevision: main, ref: values }',
          '',
        ].join('\n');

      it('refuses a floating version at its targetRevision line, and accepts an exact one', () => {
        expect(check(ociApp('16.x'))).toEqual([
          expect.objectContaining({
            rule: 'production-unpinned',
            line: 7,
            message:
              "Application 'argocd/postgresql' in environment 'production' uses chart oci://registry-1.docker.io/bitnamicharts/postgresql at '16.x', which is not exact.",
          }),
        ]);
        expect(check(ociApp('16.7.21'))).toEqual([]);
      });
    });

    it('reports inferred production policy as warnings', () => {
      expect(check(release('1.x'), 'production', { ...PRODUCTION, severity: 'warning' })).toEqual([
        expect.objectContaining({ rule: 'production-unpinned', severity: 'warning' }),
      ]);
    });
  });
});
