import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptKeystore } from "@wg402/shared";
import { loadAgentConfig } from "../config.ts";
import { desiredRegistryInfo } from "./buildRegistrar.ts";
import { loadOperatorKey } from "./registryConfig.ts";

const base = {
  AGENT_PAY_TO: "0x1111111111111111111111111111111111111111",
  AGENT_TOKEN_ADDRESS: "0x2222222222222222222222222222222222222222",
};
const key = `0x${"11".repeat(32)}`;
const on = {
  ...base,
  AGENT_REGISTRY: "on",
  AGENT_REGISTRY_ADDRESS: "0x3333333333333333333333333333333333333333",
  AGENT_COUNTRY: "DE",
  AGENT_OPERATOR_PRIVATE_KEY: key,
};
const wgKey = Buffer.alloc(32, 1).toString("base64");

describe("registry configuration", () => {
  it("is off unless asked for, and then asks for nothing", () => {
    expect(loadAgentConfig(base)).toMatchObject({ AGENT_REGISTRY: "off" });
  });

  it("needs the registry, the country and the operator key when on", () => {
    expect(() => loadAgentConfig({ ...base, AGENT_REGISTRY: "on" })).toThrow(
      /AGENT_REGISTRY_ADDRESS: required[\s\S]*AGENT_COUNTRY: required[\s\S]*AGENT_OPERATOR_PRIVATE_KEY: required/,
    );
    expect(loadAgentConfig(on)).toMatchObject({ AGENT_REGISTRY: "on", AGENT_COUNTRY: "DE" });
    expect(() => loadAgentConfig({ ...on, AGENT_COUNTRY: "de" })).toThrow(/AGENT_COUNTRY/);
    expect(() => loadAgentConfig({ ...on, AGENT_REGISTRY_STAKE: "0" })).toThrow(/AGENT_REGISTRY_STAKE/);
    expect(loadAgentConfig({ ...on, AGENT_REGISTRY_STAKE: "25000000" }).AGENT_REGISTRY_STAKE).toBe(25_000_000n);
  });

  it("takes a keystore with its password instead of the key, never both", () => {
    const { AGENT_OPERATOR_PRIVATE_KEY: _, ...keyless } = on;
    expect(() => loadAgentConfig({ ...keyless, AGENT_OPERATOR_KEYSTORE: "/k.json" })).toThrow(
      /AGENT_OPERATOR_KEYSTORE_PASSWORD: required/,
    );
    expect(
      loadAgentConfig({ ...keyless, AGENT_OPERATOR_KEYSTORE: "/k.json", AGENT_OPERATOR_KEYSTORE_PASSWORD: "pw" }),
    ).toMatchObject({ AGENT_OPERATOR_KEYSTORE: "/k.json" });
    expect(() =>
      loadAgentConfig({ ...on, AGENT_OPERATOR_KEYSTORE: "/k.json", AGENT_OPERATOR_KEYSTORE_PASSWORD: "pw" }),
    ).toThrow(/not both/);
  });

  it("needs a public URL on a wildcard host, and a fixed key on a fake node", () => {
    expect(() => loadAgentConfig({ ...on, AGENT_HOST: "0.0.0.0" })).toThrow(/AGENT_PUBLIC_URL: required/);
    expect(() => loadAgentConfig({ ...on, AGENT_WG_MODE: "fake" })).toThrow(/AGENT_WG_PUBLIC_KEY: required/);
  });

  it("decrypts the operator keystore, and names a wrong password as a config error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wg402-opkey-"));
    try {
      const path = join(dir, "operator.json");
      await writeFile(path, JSON.stringify(await encryptKeystore(key as `0x${string}`, "s3cret", { n: 16 })));
      const config = (password: string) =>
        loadAgentConfig({
          ...on,
          AGENT_OPERATOR_PRIVATE_KEY: undefined,
          AGENT_OPERATOR_KEYSTORE: path,
          AGENT_OPERATOR_KEYSTORE_PASSWORD: password,
        });
      expect(await loadOperatorKey(config("s3cret"))).toBe(key);
      await expect(loadOperatorKey(config("wrong"))).rejects.toMatchObject({
        code: "invalid_config",
        message: expect.stringMatching(/wrong passphrase/),
      });
      await expect(
        loadOperatorKey({ ...config("s3cret"), AGENT_OPERATOR_KEYSTORE: join(dir, "missing.json") }),
      ).rejects.toMatchObject({ code: "invalid_config" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the entry the node asks for", () => {
  const signer = "0x4444444444444444444444444444444444444444";
  it("states the node's key, payTo, signer, prices, schemes, country, URL and region", () => {
    const config = loadAgentConfig({ ...on, AGENT_REGION: "Frankfurt 1", AGENT_PRICE_PER_MINUTE: "1200" });
    expect(desiredRegistryInfo(config, { wireguardKey: wgKey, signer, listenUrl: "http://127.0.0.1:4321" })).toEqual({
      wireguardKey: wgKey,
      payTo: base.AGENT_PAY_TO,
      signer,
      pricePerMinute: "1200",
      pricePerMb: "0",
      schemes: ["exact"],
      country: "DE",
      url: "http://127.0.0.1:4321",
      label: "Frankfurt 1",
    });
  });

  it("offers batch-settlement with channels on, prices data, prefers AGENT_PUBLIC_URL, cuts a long label", () => {
    const config = loadAgentConfig({
      ...on,
      AGENT_CHANNEL: "on",
      AGENT_CHANNEL_AUTHORIZER: "facilitator",
      AGENT_PRICE_PER_MB: "20000",
      AGENT_PUBLIC_URL: "https://de1.example.net",
      AGENT_REGION: "ü".repeat(40),
    });
    const info = desiredRegistryInfo(config, { wireguardKey: wgKey, signer, listenUrl: "http://127.0.0.1:1" });
    expect(info).toMatchObject({
      schemes: ["exact", "batch-settlement"],
      pricePerMb: "20000",
      url: "https://de1.example.net",
      label: "ü".repeat(32),
    });
  });
});
