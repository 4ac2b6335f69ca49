import type { RegistryNodeInfo } from "@wg402/shared";

/** A valid registry entry's info for the registrar's and the commands' tests; `over` varies it. */
export const registryInfoFixture = (over: Partial<RegistryNodeInfo> = {}): RegistryNodeInfo => ({
  wireguardKey: Buffer.alloc(32, 7).toString("base64"),
  payTo: "0x2222222222222222222222222222222222222222",
  signer: "0x3333333333333333333333333333333333333333",
  pricePerMinute: "1000",
  pricePerMb: "0",
  schemes: ["exact"],
  country: "DE",
  url: "http://127.0.0.1:4021",
  label: "Frankfurt",
  ...over,
});
