// Pure: make a saved text comparable with the text V8 runs, without changing what it means.
//
// V8 runs a script's text as it was loaded. An editor may save the same code with a byte-order mark
// or other line endings (CRLF from Windows editors or git's autocrlf). To V8 that is a new text in
// which every function moved: LiveEdit answers Ok, treats every function as removed and added anew,
// and the running closures keep their old code (docs/v8.md). So the saved text takes the running
// text's BOM and line endings. Line numbers do not change (CRLF is one line terminator), and neither
// does the code: a line terminator inside a template literal reads as LF either way.

export type LineEnding = '\n' | '\r\n';

/** The line ending most lines of the text end with (LF when there is none). */
export function lineEndingOf(text: string): LineEnding {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** The saved text with the running text's byte-order mark (or none) and line endings. */
export function likeRunning(saved: string, running: string): string {
  let text = saved;
  const runningBom = running.charCodeAt(0) === 0xfeff;
  if (text.charCodeAt(0) === 0xfeff && !runningBom) text = text.slice(1);
  else if (text.charCodeAt(0) !== 0xfeff && runningBom) text = '\ufeff' + text;
  return lineEndingOf(running) === '\r\n' ? text.replace(/\r?\n/g, '\r\n') : text.replace(/\r\n/g, '\n');
}
