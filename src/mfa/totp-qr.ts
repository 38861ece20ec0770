import QRCode from 'qrcode';

/**
 * The enrolment QR code as SVG, rendered on the server (no script, no third-party image): the
 * page embeds it. Error correction M (15 %) survives a phone camera at an angle; the quiet zone
 * of 4 modules is what ISO/IEC 18004 asks for.
 */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
