import { type SseMessage, sseMessages } from "./sseMessages.ts";

/** A stream fed chunk by chunk, as a response body delivers them; `messages` holds what was parsed so far. */
function feed() {
  let controller: ReadableStreamDefaultController<string> | null = null;
  const messages: SseMessage[] = [];
  const text = new ReadableStream<string>({
    start(c) {
      controller = c;
    },
  });
  const reader = sseMessages(text).getReader();
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      messages.push(value);
    }
  })();
  return {
    messages,
    async push(chunk: string): Promise<SseMessage[]> {
      controller?.enqueue(chunk);
      // Lets the chunk travel through the parser's streams before anyone looks.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return messages;
    },
    async end(): Promise<void> {
      controller?.close();
      await reading;
    },
  };
}

describe("SSE messages", () => {
  it("parses events split across arbitrary chunks", async () => {
    const stream = feed();
    const text = ': hello\n\nid: 1\nevent: session\ndata: {"a":1}\n\nid: 2\nevent: wallet\ndata: {"b":2}\n\n';
    for (let i = 0; i < text.length; i += 3) await stream.push(text.slice(i, i + 3));
    expect(stream.messages).toEqual([
      { event: "session", data: '{"a":1}', id: "1" },
      { event: "wallet", data: '{"b":2}', id: "2" },
    ]);
    await stream.end();
  });

  it("joins multi-line data, accepts CRLF and a CR split from its LF", async () => {
    const stream = feed();
    expect(await stream.push("data: one\r\ndata: two\r")).toEqual([]);
    expect(await stream.push("\n\r\n")).toEqual([{ event: "message", data: "one\ntwo", id: null }]);
    await stream.end();
  });

  it("ignores comments and blocks without data", async () => {
    const stream = feed();
    expect(await stream.push(": ping\n\nevent: lonely\n\n")).toEqual([]);
    await stream.end();
  });
});
