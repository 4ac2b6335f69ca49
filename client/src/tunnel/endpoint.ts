import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ErrorCode } from "@wg402/shared";
import { ClientError } from "../errors.ts";

/** "host:port" or "[v6]:port" → the IP the tunnel will use, and the form UAPI wants. */
export async function resolveEndpoint(endpoint: string): Promise<{ host: string; port: number; uapi: string }> {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(endpoint) ?? /^([^:]+):(\d+)$/.exec(endpoint);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ClientError(`the node's endpoint ${JSON.stringify(endpoint)} is not host:port`, {
      code: ErrorCode.not_a_wg402_node,
    });
  }
  let host = match[1];
  if (isIP(host) === 0) {
    try {
      host = (await lookup(host)).address;
    } catch (error) {
      throw new ClientError(`cannot resolve the node's endpoint ${host}`, {
        code: ErrorCode.node_unreachable,
        cause: error,
      });
    }
  }
  return { host, port, uapi: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}` };
}
