#!/usr/bin/env node
// Roost runs its TypeScript sources directly, which needs Node.js 26 (installed as a dependency).
const major = Number(process.versions.node.split('.')[0]);
if (major < 26) {
  process.stderr.write(
    `roost: Node.js ${process.versions.node} is too old; run Roost through npm (npx roost, npm start) so its Node.js 26 is used\n`,
  );
  process.exit(2);
}
const { run } = await import('../src/cli/main.ts');
process.exitCode = await run(process.argv);
