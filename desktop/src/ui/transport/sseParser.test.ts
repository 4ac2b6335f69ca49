import { SseParser } from "./sseParser.ts";

describe("SSE parser", () => {
  it("parses events split across arbitrary chunks", () => {
    const parser = new SseParser();
    const text = ': hello\n\nid: 1\nevent: session\ndata: {"a":1}\n\nid: 2\nevent: wallet\ndata: {"b":2}\n\n';
    const events = [];
    for (let i = 0; i < text.length; i += 3) events.push(...parser.push(text.slice(i, i + 3)));
    expect(events).toEqual([
      { event: "session", data: '{"a":1}', id: "1" },
      { event: "wallet", data: '{"b":2}', id: "2" },
    ]);
  });

  it("joins multi-line data, accepts CRLF and a CR split from its LF", () => {
    const parser = new SseParser();
    expect(parser.push("data: one\r\ndata: two\r")).toEqual([]);
    expect(parser.push("\n\r\n")).toEqual([{ event: "message", data: "one\ntwo", id: null }]);
  });

  it("ignores comments and blocks without data", () => {
    const parser = new SseParser();
    expect(parser.push(": ping\n\nevent: lonely\n\n")).toEqual([]);
  });
});
