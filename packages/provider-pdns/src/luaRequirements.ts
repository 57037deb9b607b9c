/**
 * Which PowerDNS release a LUA record needs. A server older than that stores the record without
 * complaint, then answers SERVFAIL for the name (a list of address lists in `ifportup` is a Lua
 * error on 4.7) or ignores the option (4.7 reads options as a string map, so `minimumFailures`
 * silently does nothing). Either way the record would not do what it says, so the provider
 * refuses it before anything is written.
 *
 * Source: the "Record creation functions" of the PowerDNS Lua records reference
 * (https://doc.powerdns.com/authoritative/lua-records/functions.html), checked against 4.7, 4.9
 * and 5.1 by the provider's tests.
 */
import { parsePowerDnsVersion, type PowerDnsVersion } from './version.js';

/** A LUA feature and the first PowerDNS release that evaluates it. */
export interface LuaRequirement {
  /** What the code uses, e.g. `the ifurlup option byteslimit`. */
  readonly feature: string;
  /** First release that has it, e.g. `4.8.0`. */
  readonly since: string;
}

/** Health-check options and the release that added each (older releases reject unknown ones). */
export const LUA_OPTION_SINCE: Readonly<Record<string, string>> = Object.freeze({
  byteslimit: '4.8.0',
  interval: '5.0.0',
  minimumFailures: '5.0.0',
  failOnIncompleteCheck: '5.0.0',
  httpcode: '5.0.0',
});

/**
 * Functions and the release that has them, observed by running `strings` on the Debian binaries:
 * `pickchashed` and `dblookup` are absent from 4.7.3 and present in 4.9.18; `pickselfweighted` is
 * absent from 4.9.18 and present in 5.1.5 (taken as 5.0.0, the next release; 5.0 was not run).
 */
export const LUA_FUNCTION_SINCE: Readonly<Record<string, string>> = Object.freeze({
  pickchashed: '4.9.0',
  dblookup: '4.9.0',
  pickselfweighted: '5.0.0',
});

/** `ifportup` with a list of address lists (priority groups). */
export const IFPORTUP_GROUPS_SINCE = '4.8.0';

interface Token {
  readonly kind: 'name' | 'punct' | 'string';
  readonly text: string;
}

/** The end (exclusive) of a long bracket `[[…]]` / `[==[…]==]` opening at `i`, or -1 if none opens there. */
function longBracketEnd(code: string, i: number): number {
  const open = /^\[(=*)\[/.exec(code.slice(i, i + 64));
  if (!open) return -1;
  const close = `]${open[1]}]`;
  const end = code.indexOf(close, i + open[0].length);
  return end === -1 ? code.length : end + close.length;
}

/** Names and punctuation of Lua code; strings, numbers and comments are skipped. */
function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i] as string;
    if (c === "'" || c === '"') {
      // a short string: kept as a token (a table key may be written ['name'])
      const start = ++i;
      while (i < code.length && code[i] !== c) i += code[i] === '\\' ? 2 : 1;
      tokens.push({ kind: 'string', text: code.slice(start, i) });
      i++;
    } else if (c === '-' && code[i + 1] === '-') {
      // a comment: --[[ long ]] (which may sit inside an expression) or to the end of the line
      const long = longBracketEnd(code, i + 2);
      const end = long !== -1 ? long : code.indexOf('\n', i);
      i = end === -1 ? code.length : long !== -1 ? end : end + 1;
    } else if (c === '[' && longBracketEnd(code, i) !== -1) {
      i = longBracketEnd(code, i); // a long string
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i, i + 128)) as RegExpExecArray;
      tokens.push({ kind: 'name', text: m[0] });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      i += (/^[0-9A-Fa-fxX.]+/.exec(code.slice(i, i + 64)) as RegExpExecArray)[0].length;
    } else if (c === '=' && code[i + 1] === '=') {
      tokens.push({ kind: 'punct', text: '==' });
      i += 2;
    } else {
      if (!/\s/.test(c)) tokens.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return tokens;
}

/**
 * The Lua code of LUA record content: `A "code"`, or `A "part 1" "part 2"` (joined with a space,
 * as 4.x does; the SDK splits only after a space, so 5.x's plain join reads the same code).
 */
export function luaCodeOf(content: string): string {
  const parts: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(content); m !== null; m = re.exec(content)) parts.push(m[1] as string);
  return parts.join(' ');
}

/**
 * Features of LUA record content that need a PowerDNS newer than 4.7, each with its release.
 * Unknown functions are not judged: a raw expression may call anything.
 */
export function luaRequirements(content: string): LuaRequirement[] {
  return luaCodeRequirements(luaCodeOf(content));
}

/** {@link luaRequirements} of bare Lua code (without the record type and quotes). */
export function luaCodeRequirements(code: string): LuaRequirement[] {
  const tokens = tokenize(code);
  const found = new Map<string, LuaRequirement>();
  const nestedTable = tokens.some((t, i) => t.text === '{' && tokens[i + 1]?.text === '{');
  tokens.forEach((token, i) => {
    // an option key: `name=` or `['name']=`
    const key =
      token.kind === 'name' && tokens[i + 1]?.text === '='
        ? token.text
        : token.kind === 'string' &&
            tokens[i - 1]?.text === '[' &&
            tokens[i + 1]?.text === ']' &&
            tokens[i + 2]?.text === '='
          ? token.text
          : undefined;
    const since =
      key !== undefined && Object.hasOwn(LUA_OPTION_SINCE, key) ? LUA_OPTION_SINCE[key] : undefined;
    if (key !== undefined && since !== undefined)
      found.set(key, { feature: `the health-check option ${key}`, since });
    if (token.kind !== 'name') return;
    const next = tokens[i + 1];
    const fnSince = Object.hasOwn(LUA_FUNCTION_SINCE, token.text)
      ? LUA_FUNCTION_SINCE[token.text]
      : undefined;
    if (
      fnSince !== undefined &&
      next?.text === '(' &&
      tokens[i - 1]?.text !== '.' &&
      tokens[i - 1]?.text !== ':'
    )
      found.set(token.text, { feature: `the function ${token.text}`, since: fnSince });
    if (token.text === 'ifportup' && next?.text === '(') {
      // the second argument, after the first comma at the call's own depth
      let depth = 0;
      for (let j = i + 1; j < tokens.length; j++) {
        const t = (tokens[j] as Token).text;
        if (t === '(' || t === '{') depth++;
        else if (t === ')' || t === '}') depth--;
        if (depth === 0) break;
        if (t === ',' && depth === 1) {
          // a table literal of tables, or a variable when the code builds a table of tables
          // somewhere (`local g={{…},{…}} return ifportup(443, g)`): judged as groups
          const arg = tokens[j + 1];
          if ((arg?.text === '{' && tokens[j + 2]?.text === '{') || (arg?.kind === 'name' && nestedTable))
            found.set('ifportup-groups', {
              feature: 'ifportup with priority groups (a list of address lists)',
              since: IFPORTUP_GROUPS_SINCE,
            });
          break;
        }
      }
    }
  });
  return [...found.values()];
}

/** The latest release among `requirements`, or `undefined` when there are none. */
export function latestRequirement(requirements: readonly LuaRequirement[]): string | undefined {
  let latest: string | undefined;
  for (const r of requirements) {
    if (latest === undefined || olderThan(parsePowerDnsVersion(latest), r.since)) latest = r.since;
  }
  return latest;
}

/** True when `version` is older than release `since` (`4.8.0`). An unknown version is never older. */
export function olderThan(version: PowerDnsVersion | undefined, since: string): boolean {
  const needed = parsePowerDnsVersion(since);
  if (version === undefined || needed === undefined) return false;
  return (version.major - needed.major || version.minor - needed.minor || version.patch - needed.patch) < 0;
}
