#!/usr/bin/env node
/**
 * Posts a preview report as ONE sticky note on a GitLab merge request: the note that starts with
 * the report's marker is edited on every push, a new one is created only the first time.
 * (On GitHub, the workflow does the same with marocchino/sticky-pull-request-comment.)
 *
 *   node node_modules/@mlops/gitops/dist/cli/gitlab-note.js gitops-preview.md
 *
 * Reads the predefined CI variables CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID, and a
 * token allowed to write notes (scope api) from GITOPS_COMMENT_TOKEN: CI_JOB_TOKEN cannot.
 */
import { readFileSync } from 'node:fs';
import { COMMENT_MARKER } from '../preview/report';

export interface MergeRequest {
  api: string;
  project: string;
  iid: string;
  token: string;
}

interface Note {
  id: number;
  body: string;
}

const REQUIRED = ['CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_MERGE_REQUEST_IID', 'GITOPS_COMMENT_TOKEN'] as const;

export function mergeRequestFromEnv(env: NodeJS.ProcessEnv): MergeRequest {
  const missing = REQUIRED.filter((k) => !env[k]);
  if (missing.length)
    throw new Error(
      `Cannot post the preview note: ${missing.join(', ')} not set (run in a merge-request pipeline; GITOPS_COMMENT_TOKEN is a token with scope api).`,
    );
  return { api: env.CI_API_V4_URL!, project: env.CI_PROJECT_ID!, iid: env.CI_MERGE_REQUEST_IID!, token: env.GITOPS_COMMENT_TOKEN! };
}

/** Creates the sticky note or edits it; returns what it did. */
export async function postStickyNote(mr: MergeRequest, body: string): Promise<'created' | 'updated'> {
  const notes = `${mr.api}/projects/${encodeURIComponent(mr.project)}/merge_requests/${mr.iid}/notes`;
  const existing = await findNote(mr, notes);
  const url = existing ? `${notes}/${existing.id}` : notes;
  await call(mr, url, existing ? 'PUT' : 'POST', { body });
  return existing ? 'updated' : 'created';
}

async function findNote(mr: MergeRequest, notes: string): Promise<Note | undefined> {
  for (let page = 1; ; page++) {
    const list = (await call(mr, `${notes}?per_page=100&page=${page}&sort=asc`, 'GET')) as Note[];
    const mine = list.find((n) => n.body.startsWith(COMMENT_MARKER));
    if (mine || list.length < 100) return mine;
  }
}

async function call(mr: MergeRequest, url: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: { 'PRIVATE-TOKEN': mr.token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`GitLab ${method} ${url.replace(/\?.*/, '')}: ${response.status} ${await response.text()}`);
  return response.json();
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: gitlab-note.js <markdown-file>\n');
    process.exit(2);
  }
  postStickyNote(mergeRequestFromEnv(process.env), readFileSync(file, 'utf8')).then(
    (what) => process.stdout.write(`preview note ${what}\n`),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
