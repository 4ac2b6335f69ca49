import type { Command } from "@commander-js/extra-typings";
import { describeUnits, ErrorCode } from "@wg402/shared";
import { formatUnits } from "viem";
import { ClientError } from "../../errors.ts";
import { fetchNodeInfo, fetchQuote, normalizeNodeUrl } from "../../node/nodeApi.ts";
import { checkNodeIdentity } from "../../node/nodeIdentity.ts";
import { parseMegabytes, parseMinutes } from "../options.ts";
import type { CommandRunner } from "../program.ts";

export function registerNodeCommands(program: Command, runner: CommandRunner): void {
  const node = program.command("node").description("VPN nodes");

  runner
    .leaf(node.command("info").argument("<url>", "the node's URL"), "who the node is, its price and how it is paid")
    .action(
      runner.handler(async (ctx, out, _options, url) => {
        const nodeUrl = normalizeNodeUrl(url);
        const info = await fetchNodeInfo(nodeUrl, { fetch: ctx.io.fetch });
        const identity = await checkNodeIdentity(nodeUrl, {
          expect: { publicKey: info.publicKey, endpoint: info.endpoint, signer: info.offerSigner },
          fetch: ctx.io.fetch,
        });
        const kind = info.accepts[0];
        const price = kind
          ? `${formatUnits(BigInt(info.pricePerMinute), kind.decimals)} ${kind.symbol}`
          : info.pricePerMinute;
        const minute = info.secondsPerMinute === 60 ? "minute" : `minute (${info.secondsPerMinute} s on this node)`;
        const proved =
          identity.verdict === "verified"
            ? `verified: a fresh challenge signed by ${identity.signer} over its key and endpoint`
            : identity.verdict === "unsigned"
              ? "not checked: this node signs nothing"
              : `NOT VERIFIED: ${identity.reason}`;
        out.result({ ...info, identity }, [
          `${info.name} (${info.region}), version ${info.version}`,
          `price     ${price} per ${minute}, ${info.minMinutes}-${info.maxMinutes} minutes per lease`,
          ...(info.data
            ? [
                `data      ${kind ? `${formatUnits(BigInt(info.data.pricePerMb), kind.decimals)} ${kind.symbol}` : info.data.pricePerMb} per MB, ${info.data.minMegabytes}-${info.data.maxMegabytes} MB per purchase, charged by ${info.data.blockBytes / 1_000_000} MB blocks on a channel`,
              ]
            : ["data      not sold: time only"]),
          ...info.accepts.map((k) => `pays      ${k.scheme} on ${k.network} in ${k.symbol} ${k.asset} to ${k.payTo}`),
          `endpoint  ${info.endpoint}, subnet ${info.subnet}, DNS ${info.dns.join(", ") || "none"}`,
          `capacity  ${info.capacity.available} of ${info.capacity.total} free`,
          `facilitator ${info.facilitator}`,
          `signer    ${info.offerSigner ? `${info.offerSigner} (signs its x402 offers and receipts)` : "none: this node signs no offers or receipts"}`,
          `identity  ${proved}`,
        ]);
      }),
    );

  runner
    .leaf(
      program.command("quote").argument("<url>", "the node's URL"),
      "the node's price for N minutes and/or M megabytes (its 402 answer)",
    )
    .option("--minutes <n>", "lease length", parseMinutes)
    .option("--mb <n>", "megabytes", parseMegabytes)
    .action(
      runner.handler(async (ctx, out, options, url) => {
        if (options.minutes === undefined && options.mb === undefined) {
          throw new ClientError("say what to price: --minutes, --mb or both", { code: ErrorCode.invalid_argument });
        }
        const units = { minutes: options.minutes ?? 0, megabytes: options.mb ?? 0 };
        const { quote, paymentRequired } = await fetchQuote(normalizeNodeUrl(url), units, { fetch: ctx.io.fetch });
        const symbol = quote.accepts[0]?.symbol ?? "";
        // A quote is data, not an error: the 402 body's `error`/`message` stay behind.
        const { minutes, megabytes, pricePerMinute, pricePerMb, total, totalFormatted, accepts } = quote;
        const x402 = { x402Version: paymentRequired.x402Version, accepts: paymentRequired.accepts };
        out.result({ minutes, megabytes, pricePerMinute, pricePerMb, total, totalFormatted, accepts, x402 }, [
          `${describeUnits(units)}: ${quote.totalFormatted} ${symbol}`,
          ...paymentRequired.accepts.map(
            (a) => `  x402 ${a.scheme} on ${a.network}: ${a.amount} base units of ${a.asset} to ${a.payTo}`,
          ),
        ]);
      }),
    );
}
