export * from "./describeOrSkip.ts";
export * from "./netns.ts";
export * from "./wireguardFixture.ts";
