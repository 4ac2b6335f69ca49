// Which NodeRegistry to read: `--registry`, else WG402_REGISTRY, else the local stack file's. An address alone
// is enough (the index pages the contract's views, so it needs no deploy block); its terms are read from it.
import { ErrorCode, type LocalStack, nodeRegistryAbi, type RegistryDeployment } from "@wg402/shared";
import { type Address, isAddress, isAddressEqual, type PublicClient } from "viem";
import type { Env } from "../chain/paymentChain.ts";
import { ClientError } from "../errors.ts";

export const REGISTRY_ENV = "WG402_REGISTRY";

export type RegistrySourceOptions = {
  flag?: string;
  env: Env;
  stack?: LocalStack;
  publicClient: PublicClient;
};

export async function resolveRegistry(options: RegistrySourceOptions): Promise<RegistryDeployment> {
  const named = options.flag ?? (options.env[REGISTRY_ENV] || undefined);
  const fromStack = options.stack?.registry;
  if (named === undefined) {
    if (fromStack) return fromStack;
    throw new ClientError(
      `no NodeRegistry to read: pass --registry 0x…, set ${REGISTRY_ENV}, or start the local stack (\`npm start\`), whose stack file names one`,
      { code: ErrorCode.invalid_argument },
    );
  }
  if (!isAddress(named, { strict: false })) {
    throw new ClientError(`the registry must be a 0x-prefixed 20-byte address, not ${JSON.stringify(named)}`, {
      code: ErrorCode.invalid_argument,
    });
  }
  if (fromStack && isAddressEqual(fromStack.address as Address, named)) return fromStack;
  const address = named as Address;
  const read = (functionName: "minStake" | "unbondingDelay") =>
    options.publicClient.readContract({ address, abi: nodeRegistryAbi, functionName });
  try {
    const [minStake, unbondingDelay] = await Promise.all([read("minStake"), read("unbondingDelay")]);
    return { address, deployBlock: 0, minStake: minStake.toString(), unbondingDelaySeconds: Number(unbondingDelay) };
  } catch (error) {
    throw new ClientError(`${address} does not answer as a NodeRegistry on this chain`, {
      code: ErrorCode.invalid_argument,
      cause: error,
    });
  }
}
