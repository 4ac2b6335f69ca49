// The README's error table is checked against the one list of codes and the one status map.
import { readFile } from "node:fs/promises";
import { ErrorCode } from "./errors.ts";
import { httpStatusFor } from "./httpStatus.ts";

const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
const section = readme.slice(
  readme.indexOf("## Error codes"),
  readme.indexOf("\n## ", readme.indexOf("## Error codes") + 1),
);
const rows = [...section.matchAll(/^\| `(\w+)` \| (\d{3}) \| (.+) \|$/gm)].map(([, code, status, meaning]) => ({
  code: code as string,
  status: Number(status),
  meaning: meaning as string,
}));

describe("the README's error table", () => {
  it("lists every code exactly once, in the order of the list", () => {
    expect(rows.map((r) => r.code)).toEqual(Object.values(ErrorCode));
  });

  it("gives each code the status httpStatusFor gives it, and a meaning", () => {
    for (const row of rows) {
      expect([row.code, row.status]).toEqual([row.code, httpStatusFor[row.code as ErrorCode]]);
      expect(row.meaning.trim().length).toBeGreaterThan(5);
    }
  });
});
