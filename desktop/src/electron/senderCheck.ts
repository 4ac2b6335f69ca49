// Main answers IPC only from its own window's top frame showing the app's own page: a navigated-away,
// framed or foreign renderer gets nothing, even if it found a way to the channel.

export type IpcSender = {
  /** The WebContents that sent the message. */
  webContentsId: number;
  /** The sending frame's URL (event.senderFrame.url); null if the frame is gone. */
  frameUrl: string | null;
  /** Whether the sending frame is the top frame. */
  isMainFrame: boolean;
};

export function isTrustedSender(sender: IpcSender, expected: { webContentsId: number; pageUrl: string }): boolean {
  if (sender.webContentsId !== expected.webContentsId || !sender.isMainFrame || !sender.frameUrl) return false;
  const page = stripFragment(expected.pageUrl);
  return page !== "" && stripFragment(sender.frameUrl) === page;
}

function stripFragment(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = "";
    parsed.search = "";
    return parsed.href;
  } catch {
    return "";
  }
}
