// A facilitator in front of the real one that misbehaves on demand: slow, dead before or after settling,
// answering 5xx. It shows what the agent does when the facilitator fails at each step.
import express from "express";

export type SettleMode =
  | "forward"
  /** The connection dies before /settle reaches the facilitator: nothing was broadcast. */
  | "drop"
  /** /settle reaches the facilitator and settles; the connection dies before the answer arrives. */
  | "settle-then-reset"
  /** The facilitator answers 500 without settling. */
  | "error-500";

export type FacilitatorProxy = {
  app: express.Express;
  settle: SettleMode;
  verifyDown: boolean;
  /** Added before forwarding /settle. */
  settleDelayMs: number;
  /** Added after the facilitator settled, before its answer is passed on: money moved, the agent not told yet. */
  answerDelayMs: number;
  settles: number;
};

export function facilitatorProxy(target: string): FacilitatorProxy {
  const app = express();
  app.use(express.json({ limit: "1mb" }));
  const state: FacilitatorProxy = {
    app,
    settle: "forward",
    verifyDown: false,
    settleDelayMs: 0,
    answerDelayMs: 0,
    settles: 0,
  };
  const forward = async (req: express.Request) =>
    fetch(`${target}${req.path}`, {
      method: req.method,
      headers: { "content-type": "application/json" },
      body: req.method === "POST" ? JSON.stringify(req.body) : undefined,
    });
  const relay = async (req: express.Request, res: express.Response) => {
    const response = await forward(req);
    res
      .status(response.status)
      .type("application/json")
      .send(await response.text());
  };
  app.get("/supported", relay);
  app.post("/verify", async (req, res) => {
    if (state.verifyDown) {
      req.socket.destroy();
      return;
    }
    await relay(req, res);
  });
  app.post("/settle", async (req, res) => {
    state.settles++;
    if (state.settleDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.settleDelayMs));
    switch (state.settle) {
      case "drop":
        req.socket.destroy();
        return;
      case "settle-then-reset":
        await (await forward(req)).text();
        req.socket.destroy();
        return;
      case "error-500":
        res.status(500).json({ error: "internal_error", message: "internal error" });
        return;
      default: {
        if (state.answerDelayMs === 0) return relay(req, res);
        const response = await forward(req);
        const text = await response.text();
        // Held until the delay passes or the test sets it back to 0.
        for (const until = Date.now() + state.answerDelayMs; state.answerDelayMs > 0 && Date.now() < until; ) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        res.status(response.status).type("application/json").send(text);
      }
    }
  });
  return state;
}
