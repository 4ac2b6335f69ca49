export * from "./privateKeyFile.ts";
export * from "./setupDevice.ts";
export * from "./types.ts";
