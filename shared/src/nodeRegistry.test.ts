import {
  bytes32ToWireguardKey,
  decodeRegistryEntry,
  decodeRegistryInfo,
  encodeRegistryInfo,
  maskToSchemes,
  type RegistryNodeInfo,
  registryInfoEquals,
  schemesToMask,
  wireguardKeyToBytes32,
} from "./nodeRegistry.ts";

const info: RegistryNodeInfo = {
  wireguardKey: Buffer.alloc(32, 7).toString("base64"),
  payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  signer: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  pricePerMinute: "1000",
  pricePerMb: "0",
  schemes: ["exact", "batch-settlement"],
  country: "DE",
  url: "http://10.0.0.2:4021",
  label: "Frankfurt 1",
};

describe("the registry codec", () => {
  it("round-trips a node's info through the contract's struct", () => {
    const struct = encodeRegistryInfo(info);
    expect(struct.wireguardKey).toBe(`0x${"07".repeat(32)}`);
    expect(struct.country).toBe("0x4445");
    expect(struct.schemes).toBe(3);
    expect(decodeRegistryInfo(struct)).toEqual(info);
  });

  it("maps schemes to bits and back, ignoring unknown bits", () => {
    expect(schemesToMask(["batch-settlement"])).toBe(2);
    expect(maskToSchemes(1 | 4)).toEqual(["exact"]);
    expect(bytes32ToWireguardKey(wireguardKeyToBytes32(info.wireguardKey))).toBe(info.wireguardKey);
  });

  it("names an entry's status from its activity and unbonding", () => {
    const node = { info: encodeRegistryInfo(info), operator: info.payTo as `0x${string}`, stake: 5n, version: 2 };
    const id = wireguardKeyToBytes32(info.wireguardKey);
    expect(decodeRegistryEntry(id, { ...node, unbondingEndsAt: 0n }, true).status).toBe("active");
    expect(decodeRegistryEntry(id, { ...node, unbondingEndsAt: 99n }, false).status).toBe("leaving");
    expect(decodeRegistryEntry(id, { ...node, unbondingEndsAt: 0n }, false).status).toBe("understaked");
  });

  it("compares infos field by field, addresses in any case", () => {
    expect(registryInfoEquals(info, { ...info, payTo: info.payTo.toLowerCase() })).toBe(true);
    expect(registryInfoEquals(info, { ...info, schemes: ["batch-settlement", "exact"] })).toBe(true);
    expect(registryInfoEquals(info, { ...info, pricePerMb: "1" })).toBe(false);
    expect(registryInfoEquals(info, { ...info, url: "http://10.0.0.3:4021" })).toBe(false);
  });
});
