/** Shared fixtures of the validation specs (a `testing.ts`: the lib tsconfig leaves it out of dist). */
import { DEFAULT_SECRETS, Platform, platformYaml } from '../model/platform';

/** Two layers, a repository and the default engine: the smallest platform the layer rule can be tested on. */
export const TEST_PLATFORM: Platform = {
  repository: { url: 'https://github.com/example/platform.git', branch: 'main' },
  defaultEngines: ['flux'],
  secrets: DEFAULT_SECRETS,
  layers: [
    { name: 'platform-operators', order: 1, namespace: 'platform-operators' },
    { name: 'orchestration', order: 3, namespace: 'orchestration' },
  ],
};

/** `gitops/platform.yaml` of TEST_PLATFORM, written as the generators write it. */
export const TEST_PLATFORM_YAML = platformYaml(TEST_PLATFORM);
