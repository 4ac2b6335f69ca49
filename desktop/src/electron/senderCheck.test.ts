import { isTrustedSender } from "./senderCheck.ts";

const page = "file:///opt/wg402/resources/app/renderer/index.html";
const expected = { webContentsId: 3, pageUrl: page };

describe("IPC sender check", () => {
  it("trusts only the app's own page in its own window's top frame", () => {
    expect(isTrustedSender({ webContentsId: 3, frameUrl: page, isMainFrame: true }, expected)).toBe(true);
    expect(isTrustedSender({ webContentsId: 3, frameUrl: `${page}#settings`, isMainFrame: true }, expected)).toBe(true);
  });

  it("refuses other windows, frames, pages and vanished frames", () => {
    expect(isTrustedSender({ webContentsId: 4, frameUrl: page, isMainFrame: true }, expected)).toBe(false);
    expect(isTrustedSender({ webContentsId: 3, frameUrl: page, isMainFrame: false }, expected)).toBe(false);
    expect(isTrustedSender({ webContentsId: 3, frameUrl: "https://evil.example/", isMainFrame: true }, expected)).toBe(
      false,
    );
    expect(
      isTrustedSender({ webContentsId: 3, frameUrl: "file:///tmp/other/index.html", isMainFrame: true }, expected),
    ).toBe(false);
    expect(isTrustedSender({ webContentsId: 3, frameUrl: null, isMainFrame: true }, expected)).toBe(false);
    expect(isTrustedSender({ webContentsId: 3, frameUrl: "not a url", isMainFrame: true }, expected)).toBe(false);
  });
});
