// Where each package of package.json is used, and two checks: src/ and bin/ (the product)
// import no devDependency, and no dependency goes unused. Run with
// `npx tsx scripts/check-deps.ts`; exits 1 when a check fails.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The folders read, and whether they are the product (which must import dependencies only). */
const FOLDERS = [
  { dir: 'src', product: true },
  { dir: 'bin', product: true },
  { dir: 'bench', product: false },
  { dir: 'test', product: false },
  { dir: 'scripts', product: false },
] as const;

function codeFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return codeFiles(full);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** Module names a file imports: static imports and re-exports, `import()` and `import type`. */
function importedModules(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
}

/** Each package with where it is used (one table row each), and what is wrong. */
export function dependencyReport(root = '.'): { rows: string[][]; problems: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  const usedIn = new Map<string, Set<string>>();
  for (const { dir } of FOLDERS) {
    for (const file of codeFiles(path.join(root, dir))) {
      for (const specifier of importedModules(file)) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const name = packageOf(specifier);
        if (!usedIn.has(name)) usedIn.set(name, new Set());
        usedIn.get(name)!.add(dir);
      }
    }
  }
  // Tools run by the npm scripts or the config files rather than imported.
  for (const [name, command] of Object.entries(pkg.scripts)) {
    for (const tool of ['tsx', 'tsc', 'vitest']) {
      if (new RegExp(`\\b${tool}\\b`).test(command)) {
        const dep = tool === 'tsc' ? 'typescript' : tool;
        if (!usedIn.has(dep)) usedIn.set(dep, new Set());
        usedIn.get(dep)!.add(`npm run ${name}`);
      }
    }
  }

  const productDirs = new Set<string>(FOLDERS.filter((f) => f.product).map((f) => f.dir));
  const problems: string[] = [];
  const rows: string[][] = [];
  for (const [kind, deps] of [['dependency', pkg.dependencies], ['devDependency', pkg.devDependencies]] as const) {
    for (const name of Object.keys(deps)) {
      // @types/x is used when x is (and @types/node by every file that imports node:*).
      const typed = name.startsWith('@types/') ? name.slice('@types/'.length) : null;
      const where = [...(usedIn.get(name) ?? (typed === 'node' ? new Set(['tsconfig "types"']) : typed ? (usedIn.get(typed) ?? []) : []))];
      rows.push([name, kind, where.length ? where.join(', ') : '**unused**']);
      if (!where.length) problems.push(`${name} (${kind}) is not used`);
      if (kind === 'devDependency' && !typed && where.some((w) => productDirs.has(w))) problems.push(`${name} is a devDependency imported by the product (${where.join(', ')})`);
    }
  }
  for (const [name, where] of usedIn) {
    if (!(name in pkg.dependencies) && !(name in pkg.devDependencies)) problems.push(`${name} is imported (${[...where].join(', ')}) but not in package.json`);
  }

  return { rows, problems };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { rows, problems } = dependencyReport();
  console.log('| package | kind | used by |\n| --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(problems.length ? `\n${problems.map((p) => `- ${p}`).join('\n')}` : '\nno unused dependency; the product imports no devDependency');
  process.exitCode = problems.length ? 1 : 0;
}
