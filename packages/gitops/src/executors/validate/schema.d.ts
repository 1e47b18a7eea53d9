export type ReportFormat = 'human' | 'json' | 'sarif';

export interface ValidateExecutorSchema {
  format?: ReportFormat;
  kubectl?: string;
}
