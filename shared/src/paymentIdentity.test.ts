import { paymentIdentityOf } from "./paymentIdentity.ts";

const payment = () => ({
  accepted: {
    scheme: "exact",
    network: "eip155:31337",
    asset: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    amount: "3000",
    payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  },
  payload: {
    signature: `0x${"ab".repeat(65)}`,
    authorization: {
      from: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      value: "3000",
      validAfter: "0",
      validBefore: "1900000000",
      nonce: `0x${"CD".repeat(32)}`,
    },
  },
});

describe("paymentIdentityOf", () => {
  it("identifies an exact payment by network, token, payer and nonce, case-insensitively", () => {
    const result = paymentIdentityOf(payment());
    if (!result.ok) throw new Error(result.message);
    expect(result.identity).toMatchObject({
      scheme: "exact",
      key: `exact:eip155:31337:0x5fbdb2315678afecb367f032d93f642f64180aa3:0x90f79bf6eb2c4f870365e785982e1f101e93b906:0x${"cd".repeat(32)}`,
      payer: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      amount: "3000",
      validBefore: 1_900_000_000,
    });
  });

  it("gives two payloads under one key different digests", () => {
    const other = payment();
    other.payload.authorization.value = "4000";
    const a = paymentIdentityOf(payment());
    const b = paymentIdentityOf(other);
    if (!a.ok || !b.ok) throw new Error("not identified");
    expect(b.identity.key).toBe(a.identity.key);
    expect(b.identity.digest).not.toBe(a.identity.digest);
    const again = paymentIdentityOf(payment());
    expect(again.ok && again.identity.digest).toBe(a.identity.digest);
  });

  it.each([
    ["value", "abc"],
    ["value", "1e3"],
    ["value", "0x10"],
    ["value", "9".repeat(79)],
    ["validBefore", ""],
    ["from", 42],
    ["nonce", "0x12"],
  ])("refuses authorization.%s = %p with a message naming the field", (field, value) => {
    const p = payment() as unknown as { payload: { authorization: Record<string, unknown> } };
    p.payload.authorization[field] = value;
    const result = paymentIdentityOf(p);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(`payload.authorization.${field}`);
  });

  it("names the scheme it cannot identify", () => {
    const p = payment();
    p.accepted.scheme = "upto";
    expect(paymentIdentityOf(p)).toMatchObject({ ok: false, scheme: "upto" });
  });
});
