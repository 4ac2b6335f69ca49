/** "1 minute", "2 minutes", "0 renewals": a count with its noun, in English. */
export function plural(count: number | bigint, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 || count === 1n ? noun : pluralNoun}`;
}
