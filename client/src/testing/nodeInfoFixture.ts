// A well-formed node info for tests that stand a node in (a loopback server, a fetch built in the test).
import type { NodeInfo } from "@wg402/shared";
import { generateKeyPair } from "@wg402/wireguard";

export const nodeInfoFixture = (over: Partial<NodeInfo> = {}): NodeInfo => ({
  name: "probe node",
  version: "0.0.0",
  region: "de",
  publicKey: generateKeyPair().publicKey,
  endpoint: "127.0.0.1:51820",
  subnet: "10.77.0.0/24",
  dns: [],
  pricePerMinute: "1000",
  minMinutes: 1,
  maxMinutes: 60,
  secondsPerMinute: 60,
  graceSeconds: 60,
  accepts: [
    {
      scheme: "exact",
      network: "eip155:31337",
      asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      symbol: "tUSD",
      decimals: 6,
      payTo: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    },
  ],
  facilitator: "http://127.0.0.1:1",
  capacity: { total: 10, available: 10 },
  driver: "fake",
  ...over,
});
