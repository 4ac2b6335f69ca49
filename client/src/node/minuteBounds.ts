import { ErrorCode, type LeaseUnits, type NodeInfo } from "@wg402/shared";
import { ClientError } from "../errors.ts";

/** Refuses a purchase of `minutes` the node does not sell: whole minutes within its bounds. */
export function assertMinutesSold(node: Pick<NodeInfo, "minMinutes" | "maxMinutes">, minutes: number): void {
  const { minMinutes, maxMinutes } = node;
  if (!Number.isInteger(minutes) || minutes < minMinutes || minutes > maxMinutes) {
    throw new ClientError(`this node sells between ${minMinutes} and ${maxMinutes} whole minutes, not ${minutes}`, {
      code: ErrorCode.invalid_minutes,
    });
  }
}

/** Refuses `megabytes` a node does not sell: none on a time-only node, whole MB within its bounds otherwise. */
export function assertMegabytesSold(node: Pick<NodeInfo, "data">, megabytes: number): void {
  if (!node.data) {
    throw new ClientError("this node sells tunnel time only, not megabytes", { code: ErrorCode.data_not_offered });
  }
  const { minMegabytes, maxMegabytes } = node.data;
  if (!Number.isInteger(megabytes) || megabytes < minMegabytes || megabytes > maxMegabytes) {
    throw new ClientError(`this node sells between ${minMegabytes} and ${maxMegabytes} whole MB, not ${megabytes}`, {
      code: ErrorCode.invalid_megabytes,
    });
  }
}

/** Refuses a purchase of nothing, and units the node does not sell. */
export function assertUnitsSold(node: Pick<NodeInfo, "minMinutes" | "maxMinutes" | "data">, units: LeaseUnits): void {
  if (units.minutes === 0 && units.megabytes === 0) {
    throw new ClientError("buy minutes, megabytes or both", { code: ErrorCode.invalid_argument });
  }
  if (units.minutes !== 0) assertMinutesSold(node, units.minutes);
  if (units.megabytes !== 0) assertMegabytesSold(node, units.megabytes);
}
