/**
 * `describe`, or, when `skipReason` is set, a skipped `describe` whose title carries the reason, plus a
 * printed warning: a suite that cannot run here must say why, not pass silently.
 */
export function describeOrSkip(skipReason: string | null | undefined, title: string, body: () => void): void {
  if (!skipReason) {
    describe(title, body);
    return;
  }
  console.warn(`skipping "${title}": ${skipReason}`);
  describe.skip(`${title} (skipped: ${skipReason})`, body);
}
