// The wallet's address as a QR code a phone wallet can scan to send funds, as SVG text: the desktop shows it
// as an image (no script runs in an <img>), the CLI prints the terminal form itself.
import QRCode from "qrcode";

/** An SVG QR code of `address` (error correction M, a quiet zone of one module). */
export function addressQrSvg(address: string): Promise<string> {
  return QRCode.toString(address, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
}
