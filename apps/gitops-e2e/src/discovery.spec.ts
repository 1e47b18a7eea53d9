/**
 * Discovery the way an editor does it, in a fresh workspace that installed the packed plugin:
 * `nx list @mlops/gitops`, `nx g <generator> --help`, and the Nx MCP server (nx-mcp, which
 * shares Nx Console's discovery code) listing every generator and returning its schema.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFreshWorkspace, FreshWorkspace, packPlugin } from './support/fresh-workspace';
import { isolatedEnv, WORKSPACE_ROOT } from './support/workspace';

jest.setTimeout(10 * 60 * 1000);

const PACKAGE = join(WORKSPACE_ROOT, 'packages/gitops');
const collection = JSON.parse(readFileSync(join(PACKAGE, 'generators.json'), 'utf8')).generators as Record<
  string,
  { schema: string; hidden?: boolean }
>;
const GENERATORS = Object.keys(collection).sort();
/** What an editor offers: init and sync are hidden, as Nx hides its own init generators. */
const OFFERED = GENERATORS.filter((name) => !collection[name].hidden);
const schemaOf = (name: string) => JSON.parse(readFileSync(join(PACKAGE, collection[name].schema.replace('./dist/', 'src/')), 'utf8'));
const MCP_TIMEOUT = 120_000;

/** A minimal MCP client over stdio: newline-delimited JSON-RPC 2.0, every wait bounded. */
class McpClient {
  private buffer = '';
  private nextId = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private stderr = '';

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    child.on('exit', (code) => this.failAll(new Error(`nx-mcp exited with ${code}\n${this.stderr}`)));
  }

  static start(workspace: string): McpClient {
    const main = join(WORKSPACE_ROOT, 'node_modules/nx-mcp/main.js');
    const child = spawn(process.execPath, [main, workspace, '--transport', 'stdio', '--no-minimal', '--disableTelemetry'], {
      cwd: workspace,
      env: isolatedEnv(),
    });
    return new McpClient(child);
  }

  request<T>(method: string, params: unknown): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`nx-mcp: no answer to ${method} within ${MCP_TIMEOUT} ms\n${this.stderr}`));
      }, MCP_TIMEOUT);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }

  notify(method: string): void {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method }) + '\n');
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<string> {
    const result = await this.request<{ content: { type: string; text: string }[]; isError?: boolean }>('tools/call', { name, arguments: args });
    const text = result.content.map((c) => c.text).join('\n');
    if (result.isError) throw new Error(`nx-mcp tool ${name} failed: ${text}`);
    return text;
  }

  stop(): void {
    this.failAll(new Error('stopped'));
    this.child.kill();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line.startsWith('{')) continue;
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: { message: string } };
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiting) continue;
      clearTimeout(waiting.timer);
      this.pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result);
    }
  }

  private failAll(error: Error): void {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
  }
}

describe('discovering @mlops/gitops in a fresh workspace', () => {
  let ws: FreshWorkspace;
  let packDir: string;

  beforeAll(() => {
    packDir = mkdtempSync(join(tmpdir(), 'gitops-pack-'));
    ws = createFreshWorkspace('gitops-discovery-');
    ws.sh(`npm install --save-dev ${packPlugin(packDir)}`);
    ws.nx(['g', '@mlops/gitops:init', '--no-interactive']);
  });

  afterAll(() => {
    ws?.remove();
    if (packDir) rmSync(packDir, { recursive: true, force: true });
  });

  it('nx list @mlops/gitops lists every generator and the validate executor', () => {
    const out = ws.nx(['list', '@mlops/gitops']).stdout;
    for (const name of GENERATORS) expect(out).toMatch(new RegExp(`^${name} : \\S`, 'm'));
    expect(out).toMatch(/^validate : \S/m);
  });

  it.each(GENERATORS)('nx g @mlops/gitops:%s --help shows every option', (name) => {
    const out = ws.nx(['g', `@mlops/gitops:${name}`, '--help']).stdout;
    expect(out).toContain(`generate @mlops/gitops:${name}`);
    for (const option of Object.keys(schemaOf(name).properties)) expect(out).toContain(`--${option}`);
  });

  describe('through the Nx MCP server', () => {
    let mcp: McpClient;

    beforeAll(async () => {
      mcp = McpClient.start(ws.root);
      await mcp.request('initialize', { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'gitops-e2e', version: '1.0.0' } });
      mcp.notify('notifications/initialized');
    });

    afterAll(() => mcp?.stop());

    it('offers the generator tools', async () => {
      const { tools } = await mcp.request<{ tools: { name: string }[] }>('tools/list', {});
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['nx_generators', 'nx_generator_schema']));
    });

    it('lists every @mlops/gitops generator an editor offers, with its description, and not the hidden ones', async () => {
      const text = await mcp.callTool('nx_generators', {});
      for (const name of OFFERED) expect(text).toContain(`<@mlops/gitops:${name}:[`);
      for (const name of GENERATORS.filter((n) => !OFFERED.includes(n))) expect(text).not.toContain(`<@mlops/gitops:${name}:[`);
    });

    it.each(OFFERED)('returns the schema of @mlops/gitops:%s', async (name) => {
      const text = await mcp.callTool('nx_generator_schema', { generatorName: `@mlops/gitops:${name}` });
      const schema = schemaOf(name);
      expect(text).toContain(schema.description);
      for (const [option, property] of Object.entries<{ description: string }>(schema.properties)) {
        expect(text).toContain(`"${option}"`);
        expect(text).toContain(JSON.stringify(property.description).slice(1, -1));
      }
    });
  });
});
