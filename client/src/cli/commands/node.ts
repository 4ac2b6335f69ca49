import type { Command } from "@commander-js/extra-typings";
import { formatUnits } from "viem";
import { fetchNodeInfo, fetchQuote, normalizeNodeUrl } from "../../node/nodeApi.ts";
import { plural } from "../../runtime/plural.ts";
import { parseMinutes } from "../options.ts";
import type { CommandRunner } from "../program.ts";

export function registerNodeCommands(program: Command, runner: CommandRunner): void {
  const node = program.command("node").description("VPN nodes");

  runner
    .leaf(node.command("info").argument("<url>", "the node's URL"), "who the node is, its price and how it is paid")
    .action(
      runner.handler(async (ctx, out, _options, url) => {
        const info = await fetchNodeInfo(normalizeNodeUrl(url), { fetch: ctx.io.fetch });
        const kind = info.accepts[0];
        const price = kind
          ? `${formatUnits(BigInt(info.pricePerMinute), kind.decimals)} ${kind.symbol}`
          : info.pricePerMinute;
        const minute = info.secondsPerMinute === 60 ? "minute" : `minute (${info.secondsPerMinute} s on this node)`;
        out.result(info, [
          `${info.name} (${info.region}), version ${info.version}`,
          `price     ${price} per ${minute}, ${info.minMinutes}-${info.maxMinutes} minutes per lease`,
          ...info.accepts.map((k) => `pays      ${k.scheme} on ${k.network} in ${k.symbol} ${k.asset} to ${k.payTo}`),
          `endpoint  ${info.endpoint}, subnet ${info.subnet}, DNS ${info.dns.join(", ") || "none"}`,
          `capacity  ${info.capacity.available} of ${info.capacity.total} free`,
          `facilitator ${info.facilitator}`,
          `signer    ${info.offerSigner ? `${info.offerSigner} (signs its x402 offers and receipts)` : "none: this node signs no offers or receipts"}`,
        ]);
      }),
    );

  runner
    .leaf(
      program.command("quote").argument("<url>", "the node's URL"),
      "the node's price for N minutes (its 402 answer)",
    )
    .requiredOption("--minutes <n>", "lease length", parseMinutes)
    .action(
      runner.handler(async (ctx, out, options, url) => {
        const { quote, paymentRequired } = await fetchQuote(normalizeNodeUrl(url), options.minutes, {
          fetch: ctx.io.fetch,
        });
        const symbol = quote.accepts[0]?.symbol ?? "";
        // A quote is data, not an error: the 402 body's `error`/`message` stay behind.
        const { minutes, pricePerMinute, total, totalFormatted, accepts } = quote;
        const x402 = { x402Version: paymentRequired.x402Version, accepts: paymentRequired.accepts };
        out.result({ minutes, pricePerMinute, total, totalFormatted, accepts, x402 }, [
          `${plural(quote.minutes, "minute")}: ${quote.totalFormatted} ${symbol}`,
          ...paymentRequired.accepts.map(
            (a) => `  x402 ${a.scheme} on ${a.network}: ${a.amount} base units of ${a.asset} to ${a.payTo}`,
          ),
        ]);
      }),
    );
}
