/**
 * Test helper: a light plausibility check for PowerShell text, since no PowerShell runs here.
 * It tokenises strings ('…' with '' escapes, "…" with backtick escapes) and comments, then
 * requires (), {} and [] to balance outside them. Test-only.
 */

const PAIRS: Readonly<Record<string, string>> = { ')': '(', '}': '{', ']': '[' };

/** Automatic variables a script must not assign (the reference's netstat script assigned the read-only $pid). */
const AUTOMATIC = '(?:pid|host|input|args|profile|error|this|psitem|matches|true|false|_|home|pwd)';
const ASSIGNS_AUTOMATIC = new RegExp(
  `\\$${AUTOMATIC}\\s*(?:=(?!=)|\\+=)|foreach\\s*\\(\\s*\\$${AUTOMATIC}\\s+in\\b`,
  'i',
);

/** Problems found in the script; empty when it looks well formed. */
export function powershellProblems(script: string): string[] {
  const stack: string[] = [];
  let i = 0;
  while (i < script.length) {
    const c = script.charAt(i);
    if (c === '#') {
      while (i < script.length && script.charAt(i) !== '\n') i++;
    } else if (c === "'") {
      i++;
      for (;;) {
        if (i >= script.length) return ['unterminated single-quoted string'];
        if (script.charAt(i) === "'" && script.charAt(i + 1) === "'") i += 2;
        else if (script.charAt(i) === "'") break;
        else i++;
      }
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= script.length) return ['unterminated double-quoted string'];
        if (script.charAt(i) === '`') i += 2;
        else if (script.charAt(i) === '"') break;
        else i++;
      }
    } else if (c === '`') {
      i++;
    } else if ('({['.includes(c)) {
      stack.push(c);
    } else if (c in PAIRS) {
      if (stack.pop() !== PAIRS[c]) return [`unbalanced '${c}' at offset ${i}`];
    }
    i++;
  }
  if (stack.length > 0) return [`unclosed '${stack.join('')}'`];
  const assigned = script.match(ASSIGNS_AUTOMATIC);
  return assigned ? [`assigns the automatic variable in "${assigned[0]}"`] : [];
}
