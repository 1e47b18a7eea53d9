export type ReportFormat = 'human' | 'json' | 'sarif';

export interface ValidateExecutorSchema {
  format?: ReportFormat;
  kubectl?: string;
  /** .gitignore-style patterns of paths to leave out, relative to the workspace root. */
  exclude?: string[];
}
