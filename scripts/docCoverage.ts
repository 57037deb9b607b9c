// Which exported symbols and members of each package's entry points have no doc comment.
// Used by test/docComments.test.ts (the CI check) and runnable for the figures:
//
//   node --import tsx scripts/docCoverage.ts [--list]
//
// Entry points come from each package.json's `exports` (`@openova/source` condition), so a new
// package or subpath is covered without editing this file. A symbol counts as documented when the
// compiler finds a doc comment for it, including one inherited from the interface or base class
// it implements (`Provider.records` documents every provider's `records`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { repositoryRoot, workspacePackages } from './packages.js';

export interface Undocumented {
  /** Package name. */
  pkg: string;
  /** `Symbol` or `Symbol.member`. */
  name: string;
  kind: 'symbol' | 'member';
  /** `path:line` of the declaration, relative to the repository. */
  where: string;
}

export interface PackageCoverage {
  pkg: string;
  symbols: number;
  members: number;
  /** `@throws` tags on exported symbols and members. */
  throwsTags: number;
  undocumented: Undocumented[];
}

function entryFiles(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  return Object.values(manifest.exports ?? {})
    .map((target) =>
      typeof target === 'object' && target
        ? (target as Record<string, string>)['@openova/source']
        : undefined,
    )
    .filter((source): source is string => typeof source === 'string')
    .map((source) => join(dir, source));
}

const isPrivate = (d: ts.Declaration) =>
  (ts.canHaveModifiers(d) && ts.getModifiers(d)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) ||
  (ts.isClassElement(d) && d.name !== undefined && ts.isPrivateIdentifier(d.name));

/** Members of an object type written in our sources: interface/class bodies and type literals. */
function memberDeclarations(decl: ts.Declaration): ts.NamedDeclaration[] {
  const out: ts.NamedDeclaration[] = [];
  const fromType = (node: ts.TypeNode | undefined): void => {
    if (!node) return;
    if (ts.isTypeLiteralNode(node)) for (const m of node.members) out.push(m);
    else if (ts.isIntersectionTypeNode(node) || ts.isUnionTypeNode(node)) node.types.forEach(fromType);
    else if (ts.isParenthesizedTypeNode(node)) fromType(node.type);
  };
  if (ts.isInterfaceDeclaration(decl)) for (const m of decl.members) out.push(m);
  else if (ts.isClassDeclaration(decl)) {
    for (const m of decl.members)
      if (!ts.isConstructorDeclaration(m) && !ts.isClassStaticBlockDeclaration(m)) out.push(m);
  } else if (ts.isTypeAliasDeclaration(decl)) fromType(decl.type);
  else if (ts.isEnumDeclaration(decl)) for (const m of decl.members) out.push(m);
  return out.filter((m) => m.name !== undefined && !isPrivate(m) && !ts.isIndexSignatureDeclaration(m));
}

/** Coverage of every package under packages/ (all of them; filter the result as needed). */
export function docCoverage(root: string = repositoryRoot): PackageCoverage[] {
  const packages = workspacePackages(root);
  const files = packages.flatMap((p) => entryFiles(p.dir));
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined,
    },
  );
  const program = ts.createProgram(files, { ...config?.options, noEmit: true });
  const checker = program.getTypeChecker();
  const where = (d: ts.Node) => {
    const sf = d.getSourceFile();
    return `${sf.fileName.slice(root.length + 1)}:${sf.getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
  };
  const documented = (symbol: ts.Symbol) =>
    ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== '' ||
    symbol.getJsDocTags(checker).some((t) => t.name === 'deprecated' || t.name === 'inheritDoc');
  const throwsTags = (symbol: ts.Symbol) =>
    symbol.getJsDocTags(checker).filter((t) => t.name === 'throws').length;

  return packages.map((pkg) => {
    const result: PackageCoverage = {
      pkg: pkg.name,
      symbols: 0,
      members: 0,
      throwsTags: 0,
      undocumented: [],
    };
    const seenSymbols = new Set<ts.Symbol>();
    const seenMembers = new Set<ts.Node>();
    for (const file of entryFiles(pkg.dir)) {
      const sf = program.getSourceFile(file);
      const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
      if (!moduleSymbol) continue;
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const decls = (symbol.declarations ?? []).filter((d) =>
          d.getSourceFile().fileName.startsWith(pkg.dir),
        );
        // re-exports of another package's symbols are counted where they are declared
        if (!decls.length || seenSymbols.has(symbol)) continue;
        seenSymbols.add(symbol);
        result.symbols++;
        result.throwsTags += throwsTags(symbol);
        if (!documented(symbol)) {
          result.undocumented.push({
            pkg: pkg.name,
            name: symbol.name,
            kind: 'symbol',
            where: where(decls[0]!),
          });
        }
        for (const decl of decls) {
          // constructors need no comment of their own, but their @throws count
          if (ts.isClassDeclaration(decl)) {
            for (const m of decl.members) {
              if (ts.isConstructorDeclaration(m)) {
                result.throwsTags += ts.getJSDocTags(m).filter((t) => t.tagName.text === 'throws').length;
              }
            }
          }
          for (const member of memberDeclarations(decl)) {
            if (seenMembers.has(member)) continue;
            seenMembers.add(member);
            const memberSymbol = (member as ts.NamedDeclaration & { symbol?: ts.Symbol }).symbol;
            if (!memberSymbol) continue;
            result.members++;
            result.throwsTags += throwsTags(memberSymbol);
            if (!documented(memberSymbol)) {
              result.undocumented.push({
                pkg: pkg.name,
                name: `${symbol.name}.${memberSymbol.name}`,
                kind: 'member',
                where: where(member),
              });
            }
          }
        }
      }
    }
    return result;
  });
}

if (process.argv[1]?.endsWith('docCoverage.ts')) {
  const list = process.argv.includes('--list');
  for (const c of docCoverage()) {
    const symbols = c.undocumented.filter((u) => u.kind === 'symbol').length;
    const members = c.undocumented.length - symbols;
    const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)} %` : '—');
    console.log(
      `${c.pkg}: ${symbols} of ${c.symbols} exported symbols (${pct(symbols, c.symbols)}) and ${members} of ${c.members} members (${pct(members, c.members)}) undocumented; ${c.throwsTags} @throws tags`,
    );
    if (list) for (const u of c.undocumented) console.log(`  ${u.where}  ${u.name}`);
  }
}
