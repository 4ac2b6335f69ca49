import { ErrorCode, type NodeInfo } from "@wg402/shared";
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
