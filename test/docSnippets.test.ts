// Every TypeScript snippet in the docs compiles as shown: imports included, no undefined
// variables. Snippets are extracted from README.md, docs/**/*.md and packages/*/README.md, written
// as modules under .tmp/snippets/ and type-checked with the repository's compiler options.
// The example vectors in docs/conformance.md are run as conformance cases.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { runCase, type ConformanceCase } from '../packages/core/test/support/cases.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Markdown files owned by another workstream whose snippets are not fixed yet: checked and
 * reported, but not failing. Remove a file once its snippets compile.
 */
const SNIPPETS_PENDING = new Set<string>([]);

function markdownFiles(): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir))) {
      const path = `${dir}/${entry}`;
      if (entry === 'api') continue; // generated reference
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (entry.endsWith('.md')) out.push(path);
    }
  };
  walk('docs');
  for (const pkg of readdirSync(join(root, 'packages'))) {
    try {
      statSync(join(root, 'packages', pkg, 'README.md'));
      out.push(`packages/${pkg}/README.md`);
    } catch {
      // no README
    }
  }
  return out.sort();
}

interface Snippet {
  doc: string;
  /** 1-based line of the first code line in the Markdown file. */
  line: number;
  lang: string;
  code: string;
}

function snippets(doc: string): Snippet[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w+)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    out.push({ doc, line: i + 2, lang: open[2]!, code: body.join('\n') });
    i = j;
  }
  return out;
}

const all = markdownFiles().flatMap(snippets);
const typescript = all.filter((s) => s.lang === 'ts' || s.lang === 'typescript');

describe('documentation snippets', () => {
  it('finds the snippets (README, docs, package READMEs)', () => {
    expect(typescript.length).toBeGreaterThan(20);
    expect(new Set(typescript.map((s) => s.doc)).size).toBeGreaterThan(8);
  });

  it('every TypeScript snippet type-checks on its own', () => {
    const dir = join(root, '.tmp/snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = new Map<string, Snippet>();
    typescript.forEach((s, i) => {
      const file = join(dir, `${s.doc.replace(/[/.]/g, '_')}_${s.line}_${i}.ts`);
      // A module of its own (top-level await allowed, no name clashes between snippets).
      writeFileSync(file, `${s.code}\nexport {};\n`);
      files.set(file, s);
    });
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    )!;
    const program = ts.createProgram([...files.keys()], {
      ...config.options,
      noEmit: true,
      noUnusedLocals: false,
    });
    const problems: string[] = [];
    const pending: string[] = [];
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const snippet = d.file && files.get(d.file.fileName);
      if (!snippet) {
        problems.push(`outside the snippets: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
        continue;
      }
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      const where = `${snippet.doc}:${snippet.line + line}`;
      const text = `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      (SNIPPETS_PENDING.has(snippet.doc) ? pending : problems).push(text);
    }
    if (pending.length) console.warn(`pending (not failing):\n${pending.join('\n')}`);
    expect(problems).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('the example vectors in docs/conformance.md pass', async () => {
    const vectors = all.filter((s) => s.doc === 'docs/conformance.md' && s.lang === 'json');
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const cases = JSON.parse(v.code) as ConformanceCase[];
      for (const c of cases)
        expect(await runCase(c), `${c.id} (docs/conformance.md:${v.line})`).toEqual({ ok: true });
    }
  });
});
