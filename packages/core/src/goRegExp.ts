/**
 * Go RE2 regular expressions (ExternalDNS's `--regex-domain-filter` and the webhook variables that
 * mirror it) as JavaScript `RegExp`s. RE2 spellings JavaScript reads differently, or not at all,
 * are rewritten: leading inline flags (`(?i)`, `(?s)`, `(?m)`), `\A` and `\z`, `(?P<name>…)`,
 * POSIX classes inside brackets (`[[:alnum:]]`, ASCII as in RE2), Unicode classes (`\pL`,
 * `\p{Greek}`) and `\Q…\E`. What JavaScript cannot express (`(?U)`, flags inside the pattern) is an
 * error, never a silent change of meaning. Source: the RE2 syntax reference (github.com/google/re2/wiki/Syntax).
 */

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

// Unicode general categories JavaScript takes as `\p{X}`; other names are scripts (RE2 `\p{Greek}`)
const CATEGORIES = new Set(
  'L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn'.split(
    ' ',
  ),
);

/**
 * A JavaScript `RegExp` that matches what the Go RE2 expression `source` matches.
 * @throws `SyntaxError` when the expression is invalid, or uses RE2 syntax JavaScript cannot express.
 */
export function goRegExp(source: string): RegExp {
  let flags = '';
  let body = source;
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline) {
    if (inline[1]?.includes('U'))
      throw new SyntaxError('the (?U) flag (ungreedy) has no JavaScript equivalent');
    flags = [...new Set(inline[1])].join('');
    body = body.slice(inline[0].length);
  }
  let out = '';
  let unicode = false;
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\') {
      const next = body[i + 1];
      if (next === undefined) throw new SyntaxError('a trailing backslash');
      if (next === 'Q') {
        const end = body.indexOf('\\E', i + 2);
        const literal = body.slice(i + 2, end < 0 ? undefined : end);
        out += literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? body.length : end + 1;
        continue;
      }
      if (!inClass && next === 'A') {
        out += '^';
        i++;
        continue;
      }
      if (!inClass && next === 'z') {
        out += '$';
        i++;
        continue;
      }
      if (next === 'p' || next === 'P') {
        let name: string;
        let length: number;
        if (body[i + 2] === '{') {
          const close = body.indexOf('}', i + 3);
          if (close < 0) throw new SyntaxError('an unclosed \\p{');
          name = body.slice(i + 3, close);
          length = close - i + 1;
        } else {
          name = body[i + 2] ?? '';
          length = 3;
        }
        const negated = name.startsWith('^') !== (next === 'P');
        name = name.replace(/^\^/, '');
        out += `\\${negated ? 'P' : 'p'}{${CATEGORIES.has(name) ? name : `Script=${name}`}}`;
        unicode = true;
        i += length - 1;
        continue;
      }
      out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && body[i + 1] === ':') {
        const close = body.indexOf(':]', i + 2);
        const name = close < 0 ? undefined : body.slice(i + 2, close);
        if (name !== undefined && name.startsWith('^'))
          throw new SyntaxError(`the negated class [:${name}:] has no JavaScript equivalent inside brackets`);
        const range = name === undefined ? undefined : POSIX[name];
        if (range !== undefined) {
          out += range;
          i = close + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a `]` first in a class is a literal in RE2
      if (body[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (body[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && body.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (c === '(' && /^\(\?[imsU-]+[):]/.test(body.slice(i)))
      throw new SyntaxError(
        'flags inside the expression have no JavaScript equivalent; put them first, as (?i)',
      );
    out += c;
  }
  return new RegExp(out, flags + (unicode ? 'u' : ''));
}
