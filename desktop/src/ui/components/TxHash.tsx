// A transaction hash: a link to the chain's explorer when there is one, else the hash to copy.
import { shortHex } from "../model/format.ts";

export function TxHash({ hash, url }: { hash: string | null | undefined; url: string | null | undefined }) {
  if (!hash) return <span className="text-slate-500">no tx hash</span>;
  if (url) {
    return (
      <a
        href={url}
        target="_blank"
        rel="noreferrer noopener"
        className="font-mono text-xs text-indigo-700 underline dark:text-indigo-300"
        title={hash}
      >
        {shortHex(hash, 10)}
      </a>
    );
  }
  return (
    <code className="break-all font-mono text-xs" title={hash} data-testid="tx-hash">
      {hash}
    </code>
  );
}
