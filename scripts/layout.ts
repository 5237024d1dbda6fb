// Prints the shape of the product code as two markdown tables: the folders of
// src/ with their file and line counts, and the longest functions.
// Run with `npx tsx scripts/layout.ts [root] [--top N]` (root defaults to src).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

interface FolderSize {
  folder: string;
  files: number;
  lines: number;
  /** Lines holding code: not blank and not only a comment. */
  codeLines: number;
}

interface FunctionSize {
  name: string;
  file: string;
  lines: number;
}

/** Every .ts file under root, as paths relative to the working directory. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out.sort();
}

/** Lines as `wc -l` counts them: newline characters. */
const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** Lines on which some token starts or continues (comments and blank lines are trivia, not tokens). */
function codeLineCount(file: string, text: string): number {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = new Set<number>();
  const visit = (node: ts.Node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return; // getChildren lists /** */ comments
    const children = node.getChildren(source);
    if (children.length === 0 && node.kind !== ts.SyntaxKind.EndOfFileToken) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      for (let line = first; line <= last; line++) lines.add(line);
    }
    children.forEach(visit);
  };
  visit(source);
  return lines.size;
}

/** Files directly in root count as "(top level)"; the rest by their first folder. */
function folderSizes(root: string, files: readonly string[]): FolderSize[] {
  const byFolder = new Map<string, FolderSize>();
  for (const file of files) {
    const parts = path.relative(root, file).split(path.sep);
    const folder = parts.length > 1 ? `${parts[0]}/` : '(top level)';
    const size = byFolder.get(folder) ?? { folder, files: 0, lines: 0, codeLines: 0 };
    const text = fs.readFileSync(file, 'utf8');
    size.files++;
    size.lines += lineCount(text);
    size.codeLines += codeLineCount(file, text);
    byFolder.set(folder, size);
  }
  return [...byFolder.values()].sort((a, b) => b.lines - a.lines || a.folder.localeCompare(b.folder));
}

/** The name a reader would look for: `Class.method`, the variable an arrow is bound to, or `(anonymous)`. */
function functionName(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.FunctionLikeDeclaration;
  let own = named.name ? named.name.getText(source) : undefined;
  if (!own) {
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
      own = parent.name.getText(source);
    }
  }
  own ??= '(anonymous)';
  for (let up = node.parent; up; up = up.parent) {
    if (ts.isClassLike(up) && up.name) return `${up.name.text}.${own}`;
  }
  return own;
}

function functionSizes(files: readonly string[]): FunctionSize[] {
  const out: FunctionSize[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
        const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        out.push({ name: functionName(node, source), file, lines: last - first + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
}

function markdownTable(header: readonly string[], rows: readonly (string | number)[][]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function main(argv: readonly string[]) {
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 10;
  const root = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--top') ?? 'src';
  const files = sourceFiles(root);
  const folders = folderSizes(root, files);
  const total = folders.reduce(
    (sum, f) => ({ files: sum.files + f.files, lines: sum.lines + f.lines, codeLines: sum.codeLines + f.codeLines }),
    { files: 0, lines: 0, codeLines: 0 },
  );
  const longest = functionSizes(files).slice(0, top);
  const report = [
    `### Folders of ${root}/`,
    '',
    'Lines as `wc -l` counts them; code lines leave out blank lines and lines that are only comments.',
    '',
    markdownTable(
      ['folder', 'files', 'lines', 'code lines'],
      [
        ...folders.map((f) => [f.folder, f.files, f.lines, f.codeLines]),
        ['**total**', total.files, total.lines, total.codeLines],
      ],
    ),
    '',
    `### The ${top} longest functions in ${root}/`,
    '',
    markdownTable(['function', 'file', 'lines'], longest.map((f) => [`\`${f.name}\``, f.file, f.lines])),
  ];
  process.stdout.write(`${report.join('\n')}\n`);
}

main(process.argv.slice(2));
