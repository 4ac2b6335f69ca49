// probeNode against a loopback server whose first answer is slow, as a cold node's is: the warm-up takes
// that cost, the median of the timed probes is the real round trip, and every call reads the node afresh.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeInfoFixture } from "../testing/nodeInfoFixture.ts";
import { probeNode } from "./probeNode.ts";
import { countryName } from "./regionName.ts";

let server: Server;
let url: string;
let requests = 0;
let available = 10;

const info = () => nodeInfoFixture({ capacity: { total: 10, available } });

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    const body = JSON.stringify(info());
    // The first request of a run is slow, as a cold connection's is.
    const delay = requests % 6 === 1 ? 150 : 0;
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(body), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("probeNode", () => {
  it("times five probes after one warm-up, so a slow first answer does not count", async () => {
    requests = 0;
    const probe = await probeNode(url);
    expect(requests).toBe(6);
    expect(probe.latencyMs).toBeLessThan(50);
    expect(probe.country).toBe("Germany");
  });

  it("reads capacity afresh on every call", async () => {
    requests = 0;
    available = 10;
    expect((await probeNode(url)).info.capacity.available).toBe(10);
    available = 3;
    expect((await probeNode(url)).info.capacity.available).toBe(3);
  });

  it("names a country only for an ISO 3166 alpha-2 region", () => {
    expect(countryName("US")).toBe("United States");
    expect(countryName("jp")).toBe("Japan");
    expect(countryName("eu-central")).toBeNull();
    expect(countryName("local")).toBeNull();
    expect(countryName("XX")).toBeNull();
  });
});
