/**
 * C0 and C1 controls, DEL, and the bidirectional overrides and isolates that reorder what a
 * terminal shows ("Trojan Source", CVE-2021-42574).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text a client chose (a claimed client id, a user agent, a path), made safe to store and to print
 * on a terminal: every control character becomes a visible escape (`\x1b`, `\r`, `\u202e`), so an
 * `ESC [2J` in a client id cannot clear an operator's screen, retitle the terminal or hide a line
 * (ASVS 16.4.1: log entries encoded against injection). Printable text, other scripts included,
 * is left alone. Hand-written: one regular expression, where a library would add a dependency for
 * nothing more.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
