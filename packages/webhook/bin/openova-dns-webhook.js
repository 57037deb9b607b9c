#!/usr/bin/env node
// openova-dns-webhook: runs the built command (dist/cli.js). In a fresh clone without a build it
// runs the TypeScript sources instead, through tsx and the `@openova/source` export condition.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let main;
try {
  ({ main } = await import('../dist/cli.js'));
} catch (error) {
  // Missing build (ours or a workspace dependency's): fall through to the sources. A module that
  // cannot be found fails at link time, before any code ran, so nothing has started yet.
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}

if (main) {
  await main();
} else {
  const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write(
      'openova-dns-webhook: not built and tsx is not installed; run `pnpm install && pnpm build` first\n',
    );
    process.exit(1);
  }
  // An IPC channel: signals are passed on as messages. A process-group signal (Ctrl-C, or
  // `kill -TERM -<pgid>`) reaches the child directly as well, and a message never counts as a
  // second signal there, so one SIGTERM is one clean shutdown.
  const child = spawn(
    process.execPath,
    ['--conditions=@openova/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] },
  );
  let handled = false;
  child.on('message', (message) => {
    if (message?.type === 'openova-dns-webhook:signals-handled') handled = true;
  });
  let received = 0;
  for (const signal of ['SIGTERM', 'SIGINT'])
    process.on(signal, () => {
      received++;
      // before the child handles signals (still starting), the signal itself ends it
      if (!handled || !child.connected) return void child.kill(signal);
      child.send({ type: 'openova-dns-webhook:signal', signal, count: received }, () => {});
    });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
