/** Namespaces an environment deploys into (created before any component). */
import { K8sObject } from './types';

export function namespace(name: string, layer?: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(layer ? { labels: { 'mlops.example.com/layer': layer } } : {}) },
  };
}
