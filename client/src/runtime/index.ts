// What the client's runtime helpers offer without Node: the desktop renderer imports them from here
// (`@wg402/client/runtime`), since the package's main entry pulls in Node-only modules.
export * from "./backoff.ts";
export * from "./clock.ts";
export * from "./serialQueue.ts";
export * from "./typedEmitter.ts";
