// Spawns the openova-dns-webhook command as ExternalDNS's pod would run it (from source, no build).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_SOURCE = `${packageDir}src/cli.ts`;
export const CLI_BIN = `${packageDir}bin/openova-dns-webhook.js`;

export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Parsed JSON log lines so far. */
  logs: () => Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the API and health URLs once the command logged that it listens. */
  ready: () => Promise<{ api: string; health: string }>;
  kill: () => void;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
});

export function spawnCli(
  env: Record<string, string>,
  options: { bin?: boolean; args?: string[]; path?: string } = {},
): CliProcess {
  const args = [
    ...(options.bin
      ? [options.path ?? CLI_BIN]
      : ['--conditions=@openova/source', '--import', 'tsx', CLI_SOURCE]),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    // only what we pass: no setting leaks in from the test environment
    env: {
      PATH: process.env['PATH'] ?? '',
      WEBHOOK_PORT: '0',
      HEALTH_PORT: '0',
      HEALTH_HOST: '127.0.0.1',
      ...env,
    },
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const logs = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const ready = async () => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const line = logs().find((l) => l['msg'] === 'webhook server listening');
      if (line) return { api: String(line['api']), health: String(line['health']) };
      if (child.exitCode !== null) throw new Error(`command exited (${child.exitCode}): ${err}${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`command did not start: ${err}${out}`);
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    exited,
    ready,
    kill: () => {
      if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    },
  };
}
