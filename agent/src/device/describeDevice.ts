/** "wireguard-go wg402 in netns x, port 51820, 10.64.0.1/16" */
export function describeDevice(
  label: string,
  name: string,
  netns: string | undefined,
  listenPort: number,
  addresses: readonly string[],
): string {
  const parts = [`${label} ${name}${netns === undefined ? "" : ` in netns ${netns}`}`, `port ${listenPort}`];
  if (addresses.length > 0) parts.push(addresses.join(", "));
  return parts.join(", ");
}
