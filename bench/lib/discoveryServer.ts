// A benchmark node server in its own process (so its signing does not share the discovering thread): reads
// `{ signerKey, nodes: [{ name, registered }] }` on stdin, serves them on 127.0.0.1 and prints its URL.
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startTestNodeServer, type TestNode } from "../../client/src/discovery/discoveryTestNodes.ts";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { signerKey, nodes } = JSON.parse(input) as {
  signerKey: Hex;
  nodes: Pick<TestNode, "name" | "registered">[];
};
const signer = privateKeyToAccount(signerKey);
const server = await startTestNodeServer();
for (const node of nodes) server.add({ ...node, signer });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
