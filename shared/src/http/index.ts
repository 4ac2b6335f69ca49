export * from "./httpErrors.ts";
