export * from "./forkService.ts";
