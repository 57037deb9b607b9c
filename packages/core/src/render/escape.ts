/**
 * Characters that would let a value change how a rendered plan reads rather than be read: C0 and C1
 * controls (a newline starting a line of its own, a carriage return or an ANSI escape rewriting the
 * terminal line), DEL, line and paragraph separators, and the bidirectional overrides and isolates
 * that reorder what a reviewer sees.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A value as one visible line: every character of {@link UNPRINTABLE} written as a `\xNN` or
 * `\uNNNN` escape, everything else as it is.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A value as a Markdown code span inside a table cell: printable, `|` escaped (GitHub splits table
 * rows at `|` before reading code spans), fenced with one backtick more than the longest run of
 * backticks inside, so no value can close the span and write Markdown of its own.
 */
export function markdownCode(text: string): string {
  const body = printable(text).replace(/\|/g, '\\|');
  let longest = 0;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  // a span that starts or ends with a backtick needs a space inside its fence (stripped when shown)
  const pad = body.startsWith('`') || body.endsWith('`') || body.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * A value as Markdown text inside a table cell: printable, with every ASCII punctuation character
 * backslash-escaped, so it shows as written and cannot open a code span, a link, an HTML tag or
 * comment, emphasis, or a new cell.
 */
export function markdownText(text: string): string {
  return printable(text).replace(/[!-/:-@[-`{-~]/g, (ch) => `\\${ch}`);
}
