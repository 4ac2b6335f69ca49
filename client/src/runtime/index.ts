// What the client's runtime helpers offer without Node: the desktop renderer imports them from here
// (`@wg402/client/runtime`), since the package's main entry pulls in Node-only modules.
export * from "@wg402/shared/runtime";
export * from "./plural.ts";
export * from "./rootCause.ts";
export * from "./typedEmitter.ts";
