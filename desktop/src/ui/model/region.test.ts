import { flagOf, regionLabel } from "./region.ts";

describe("a node's region", () => {
  it("is a flag and a country name for an ISO code, else the region as written", () => {
    expect(flagOf("DE")).toBe("🇩🇪");
    expect(flagOf("us")).toBe("🇺🇸");
    expect(flagOf("eu-central")).toBeNull();
    expect(regionLabel("DE", "Germany")).toBe("🇩🇪 Germany");
    expect(regionLabel("eu-central", null)).toBe("eu-central");
    expect(regionLabel("DE", "Germany", false)).toBe("Germany");
  });
});
