// `npm test`: type check and lint, make sure the system packages are there, start the shared test
// services, run every test file (unit tests beside the source, integration tests in test/), stop the services.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { startPostgres } from '../test/fixtures/postgres.ts';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'node_modules', '.bin');

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

step('system packages');
execFileSync(path.join(root, 'scripts', 'setup-system'), { stdio: 'inherit' });

step('type check and lint');
if ((await run(path.join(bin, 'tsc'), ['--noEmit'])) !== 0) process.exit(1);
if ((await run(path.join(bin, 'biome'), ['check', '--error-on-warnings', '.'])) !== 0) process.exit(1);

step('test services');
const postgres = await startPostgres();
process.stdout.write(`PostgreSQL 15 on ${new URL(postgres.url).host}\n`);

const patterns = process.argv.slice(2);
// The swarm tests need the engine and the stack images; building is a no-op when the inputs are unchanged.
const needsDocker =
  patterns.length === 0 || patterns.some((pattern) => /swarm|docker|provision/.test(pattern));
if (needsDocker && process.getuid?.() === 0) {
  step('docker engine and stack images');
  if ((await run(path.join(root, 'scripts', 'start-dockerd'), [])) !== 0) process.exit(1);
  if ((await run(path.join(root, 'scripts', 'build-images'), [])) !== 0) process.exit(1);
}

step('tests');
const code = await run(
  process.execPath,
  [
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    '--test-timeout=120000',
    ...(patterns.length > 0 ? patterns : ['src/**/*.test.ts', 'test/**/*.test.ts']),
  ],
  { ...process.env, ROOST_TEST_POSTGRES_URL: postgres.url },
);
await postgres.stop();
process.exit(code);
