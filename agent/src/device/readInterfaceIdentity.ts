import { keyFromHex, publicKeyFromPrivate, runCommand, UapiClient } from "@wg402/wireguard";

/** What an interface says about itself: its public key (null when no private key is set) and port. */
export type InterfaceIdentity = { publicKey: string | null; listenPort: number };

/**
 * Over UAPI, which reports only the private key: the public key is derived from it here, and the private
 * key goes no further than this function.
 */
export async function readUapiIdentity(socketPath: string): Promise<InterfaceIdentity> {
  const client = new UapiClient({ socketPath, timeoutMs: 10_000 });
  let body: string;
  try {
    body = await client.request("get=1\n\n");
  } finally {
    await client.close();
  }
  let publicKey: string | null = null;
  let listenPort = 0;
  for (const line of body.split("\n")) {
    // Device lines come first; the first public_key starts the peers.
    if (line.startsWith("public_key=")) break;
    if (line.startsWith("private_key=")) {
      const hex = line.slice("private_key=".length);
      if (!/^0+$/.test(hex)) publicKey = publicKeyFromPrivate(keyFromHex(hex));
    } else if (line.startsWith("listen_port=")) {
      listenPort = Number(line.slice("listen_port=".length));
    }
  }
  return { publicKey, listenPort };
}

/** Through `wg show`, which prints the public key itself: the private key is never read. */
export async function readWgIdentity(name: string, netns: string | undefined): Promise<InterfaceIdentity> {
  const show = async (field: string) => (await runCommand("wg", ["show", name, field], { netns })).stdout.trim();
  const publicKey = await show("public-key");
  const listenPort = Number(await show("listen-port"));
  return { publicKey: publicKey === "(none)" || publicKey === "" ? null : publicKey, listenPort };
}
