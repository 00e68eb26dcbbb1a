// Lists what the sample API's image holds under /app: `node app-files.ts <app dir> <node_modules> <placeholder>`
// prints one `<path in /app>\t<source>` line per file of the app (tests left out) and per npm package it
// imports, with everything they depend on (a whole package directory each); without <app dir>/main.ts, only
// the placeholder as main.ts. A summary goes to stderr. scripts/build-images hashes the sources for the
// image's tag, and copies them only when it builds (copying 4,000 small files costs ~3 s here).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const [appDirArgument, modulesDir, placeholder] = process.argv.slice(2);
if (appDirArgument === undefined || modulesDir === undefined || placeholder === undefined) {
  process.stderr.write('usage: node app-files.ts <app dir> <node_modules dir> <placeholder>\n');
  process.exit(2);
}
const appDir = path.resolve(appDirArgument);
const modules = path.resolve(modulesDir);

if (!existsSync(path.join(appDir, 'main.ts'))) {
  process.stdout.write(`main.ts\t${path.resolve(placeholder)}\n`);
  process.stderr.write(`placeholder server (${path.join(appDir, 'main.ts')} does not exist yet)\n`);
  process.exit(0);
}

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const isShipped = (name: string) => !name.endsWith('.test.ts') && name !== 'node_modules';
const appFiles = readdirSync(appDir, { recursive: true, encoding: 'utf8' })
  .filter((name) => !name.split(path.sep).some((part) => !isShipped(part)))
  .filter((name) => statSync(path.join(appDir, name)).isFile())
  .sort();

// Bare specifiers in import/export statements and dynamic imports; `node:` built-ins need nothing.
const specifier = /\b(?:from|import)\s*\(?\s*['"]([^'"./][^'"]*)['"]/g;
const wanted = new Set<string>();
for (const name of appFiles.filter((file) => /\.[cm]?[jt]s$/.test(file))) {
  for (const match of readFileSync(path.join(appDir, name), 'utf8').matchAll(specifier)) {
    const spec = match[1] ?? '';
    if (spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    wanted.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
  }
}
const manifestPath = path.join(appDir, 'package.json');
if (existsSync(manifestPath)) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PackageJson;
  for (const name of Object.keys(manifest.dependencies ?? {})) wanted.add(name);
}

// Node's lookup: the package's own node_modules, then every node_modules above it, up to the repository's.
function locate(name: string, fromDir: string): string | undefined {
  const candidates = [path.join(fromDir, 'node_modules', name)];
  for (let dir = fromDir; dir.length >= modules.length; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'node_modules') candidates.push(path.join(dir, name));
  }
  return candidates.find((candidate) => existsSync(path.join(candidate, 'package.json')));
}

const found = new Set<string>();
const missing: string[] = [];
const queue = [...wanted].map((name) => ({ name, from: modules, required: true }));
for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
  const dir = locate(item.name, item.from);
  if (dir === undefined) {
    if (item.required) missing.push(item.name);
    continue;
  }
  if (found.has(dir)) continue;
  found.add(dir);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
  for (const name of Object.keys(manifest.dependencies ?? {}))
    queue.push({ name, from: dir, required: true });
  // Optional and peer dependencies are shipped when installed, and are no error when not.
  for (const name of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies })) {
    queue.push({ name, from: dir, required: false });
  }
}
if (missing.length > 0) {
  process.stderr.write(`app-files: not installed in ${modules}: ${[...new Set(missing)].join(', ')}\n`);
  process.exit(1);
}

// Packages nested in another's node_modules travel with it.
const topLevel = [...found].filter((dir) => ![...found].some((other) => dir.startsWith(`${other}/`))).sort();
const lines = [
  ...appFiles.map((name) => `${name}\t${path.join(appDir, name)}`),
  ...topLevel.map((dir) => `node_modules/${path.relative(modules, dir)}\t${dir}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
process.stderr.write(
  `${appFiles.length} app files, ${found.size} npm packages (${[...wanted].sort().join(', ')} and their dependencies)\n`,
);
