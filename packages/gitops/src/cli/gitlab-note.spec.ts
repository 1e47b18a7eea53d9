import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMMENT_MARKER } from '../preview/report';
import { mergeRequestFromEnv, MergeRequest, postStickyNote } from './gitlab-note';

/** An HTTP server speaking the merge-request notes endpoints of the GitLab REST API, notes in memory. */
function notesServer(notes: { id: number; body: string }[]): Promise<{ server: Server; api: string; tokens: string[] }> {
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    tokens.push(String(req.headers['private-token']));
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const m = /^\/api\/v4\/projects\/group%2Fplatform\/merge_requests\/7\/notes(?:\/(\d+))?$/.exec(url.pathname);
      if (!m) return res.writeHead(404).end('{"message":"404 Not found"}');
      if (req.method === 'GET') {
        const page = Number(url.searchParams.get('page'));
        return res.end(JSON.stringify(notes.slice((page - 1) * 100, page * 100)));
      }
      const body = JSON.parse(data).body as string;
      if (req.method === 'POST') notes.push({ id: notes.length + 1, body });
      else notes.find((n) => n.id === Number(m[1]))!.body = body;
      res.end(JSON.stringify({ id: m[1] ?? notes.length, body }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, api: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`, tokens })),
  );
}

describe('the sticky merge-request note', () => {
  it('creates the note once, then edits it on every push (found among many other notes)', async () => {
    const notes = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `review comment ${i}` }));
    const { server, api, tokens } = await notesServer(notes);
    const mr: MergeRequest = { api, project: 'group/platform', iid: '7', token: 'glpat-example-only' };
    try {
      expect(await postStickyNote(mr, `${COMMENT_MARKER}\nfirst push`)).toBe('created');
      expect(await postStickyNote(mr, `${COMMENT_MARKER}\nsecond push`)).toBe('updated');
      expect(notes.filter((n) => n.body.startsWith(COMMENT_MARKER)).map((n) => n.body)).toEqual([`${COMMENT_MARKER}\nsecond push`]);
      expect(new Set(tokens)).toEqual(new Set(['glpat-example-only']));
    } finally {
      server.close();
    }
  });

  it('says which CI variables are missing', () => {
    expect(() => mergeRequestFromEnv({ CI_API_V4_URL: 'https://gitlab.example.com/api/v4', CI_PROJECT_ID: '1' })).toThrow(
      'Cannot post the preview note: CI_MERGE_REQUEST_IID, GITOPS_COMMENT_TOKEN not set',
    );
  });
});
