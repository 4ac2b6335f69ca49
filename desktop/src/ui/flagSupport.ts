// Whether this system draws flag emoji at all: many Linux desktops (and headless Chromium) lack a colour
// emoji font and would show two boxes instead of a flag. A colour glyph has coloured pixels; a box has none.
let supported: boolean | null = null;

export function flagEmojiSupported(): boolean {
  if (supported !== null) return supported;
  supported = false;
  try {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 32;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (!context) return supported;
    context.font = "24px sans-serif";
    context.textBaseline = "top";
    context.fillText("\u{1F1F3}\u{1F1F1}", 0, 0);
    const pixels = context.getImageData(0, 0, 32, 32).data;
    for (let i = 0; i < pixels.length; i += 4) {
      const [r = 0, g = 0, b = 0] = [pixels[i], pixels[i + 1], pixels[i + 2]];
      if (Math.abs(r - g) > 30 || Math.abs(g - b) > 30) {
        supported = true;
        break;
      }
    }
  } catch {
    // No canvas: say the country's name only.
  }
  return supported;
}
