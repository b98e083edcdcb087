/**
 * Exported vs used names per workspace package: parses the `export`s of each package's `src/index.ts`
 * (following `export *` into the files it names) and the named imports of every other TypeScript file of
 * the repository (apps, packages, tests, bench; `@meta-engine/<name>` or a relative path to that index),
 * then prints, per package, how many names it exports, how many a file outside the package imports, and
 * the exported values no such file imports.
 *
 * Usage: `node scripts/exports-usage.ts [--json]`. No dependencies: regular expressions over the source,
 * which is enough for this repository's one-export-per-line style.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', '.turbo', 'dist', 'coverage', 'results']);

interface Exported {
  name: string;
  type: boolean;
}

interface Package {
  name: string;
  dir: string;
  index: string;
  exports: Map<string, Exported>;
  used: Set<string>;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** `a, type B, c as d` → names as seen by an importer. */
function specifiers(list: string, allTypes: boolean): Exported[] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const type = allTypes || part.startsWith('type ');
      const bare = part.replace(/^type\s+/, '');
      const name = (bare.split(/\s+as\s+/)[1] ?? bare).trim();
      return { name, type };
    });
}

function exportsOf(file: string, seen = new Set<string>()): Map<string, Exported> {
  const names = new Map<string, Exported>();
  if (seen.has(file)) return names;
  seen.add(file);
  const source = withoutComments(readFileSync(file, 'utf8'));
  for (const m of source.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const e of specifiers(m[2]!, m[1] !== undefined)) names.set(e.name, e);
  }
  for (const m of source.matchAll(/export\s+(type\s+)?\*\s+from\s+'([^']+)'/g)) {
    const target = resolve(dirname(file), m[2]!);
    for (const e of exportsOf(target, seen).values()) {
      names.set(e.name, { name: e.name, type: e.type || m[1] !== undefined });
    }
  }
  for (const m of source.matchAll(
    /export\s+(?:declare\s+)?(?:abstract\s+)?(const|let|function\*?|async\s+function|class|interface|type)\s+([A-Za-z_$][\w$]*)/g,
  )) {
    names.set(m[2]!, { name: m[2]!, type: m[1] === 'interface' || m[1] === 'type' });
  }
  return names;
}

function packages(): Package[] {
  const found: Package[] = [];
  for (const group of ['apps', 'packages']) {
    for (const entry of readdirSync(join(ROOT, group))) {
      const dir = join(ROOT, group, entry);
      const index = join(dir, 'src', 'index.ts');
      try {
        statSync(index);
      } catch {
        continue;
      }
      const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
      found.push({ name, dir, index, exports: exportsOf(index), used: new Set() });
    }
  }
  return found;
}

function collectUse(all: Package[]): void {
  const byName = new Map(all.map((p) => [p.name, p]));
  const byIndex = new Map(all.map((p) => [p.index, p]));
  for (const file of walk(ROOT)) {
    const source = withoutComments(readFileSync(file, 'utf8'));
    for (const m of source.matchAll(/(?:import|export)\s+(type\s+)?\{([^}]*)\}\s*from\s+'([^']+)'/g)) {
      const from = m[3]!;
      const target = from.startsWith('.') ? byIndex.get(resolve(dirname(file), from)) : byName.get(from);
      if (!target || file.startsWith(`${target.dir}/`)) continue;
      for (const e of specifiers(m[2]!, true)) {
        // The importer's local alias does not matter: the exported name is before `as`.
        const original = m[2]!
          .split(',')
          .map((part) => part.trim().replace(/^type\s+/, ''))
          .find((part) => (part.split(/\s+as\s+/)[1] ?? part).trim() === e.name);
        target.used.add((original?.split(/\s+as\s+/)[0] ?? e.name).trim());
      }
    }
  }
}

const all = packages();
collectUse(all);
const rows = all.map((p) => {
  const exported = [...p.exports.values()];
  const unusedValues = exported.filter((e) => !e.type && !p.used.has(e.name)).map((e) => e.name);
  const unusedTypes = exported.filter((e) => e.type && !p.used.has(e.name)).map((e) => e.name);
  return {
    package: p.name,
    index: relative(ROOT, p.index),
    exported: exported.length,
    used: exported.filter((e) => p.used.has(e.name)).length,
    unusedValues: unusedValues.sort(),
    unusedTypes: unusedTypes.sort(),
  };
});

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  for (const row of rows) {
    console.log(`${row.package}: ${row.exported} exported, ${row.used} used outside the package`);
    if (row.unusedValues.length > 0) console.log(`  values with no importer: ${row.unusedValues.join(', ')}`);
    if (row.unusedTypes.length > 0) console.log(`  types with no importer: ${row.unusedTypes.join(', ')}`);
  }
  const values = rows.reduce((sum, row) => sum + row.unusedValues.length, 0);
  console.log(`\n${values} exported values have no importer outside their package.`);
}
