/** Options of the `@mlops/gitops:preview` executor. */
export interface PreviewExecutorSchema {
  base?: string;
  head?: string;
  format?: 'text' | 'markdown' | 'json';
  kubectl?: string;
}
