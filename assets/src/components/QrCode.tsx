/**
 * A QR code of `text` (a link), drawn as one SVG path: it scales to any
 * print size without blurring and needs no script or data URL the page's
 * policy would refuse. `label` says what it encodes, for screen readers
 * and for anyone who cannot scan it (the link is printed beside it too).
 */
import { useMemo } from 'preact/hooks';
import qrcode from 'qrcode-generator';

interface Props {
  text: string;
  label: string;
}

/** White modules around the code, which scanners need. */
const QUIET_ZONE = 4;

export function QrCode({ text, label }: Props) {
  const { size, path } = useMemo(() => {
    const code = qrcode(0, 'M');
    code.addData(text, 'Byte');
    code.make();
    const count = code.getModuleCount();
    const cells: string[] = [];
    for (let row = 0; row < count; row++) {
      for (let col = 0; col < count; col++) {
        if (code.isDark(row, col)) cells.push(`M${String(col + QUIET_ZONE)} ${String(row + QUIET_ZONE)}h1v1h-1z`);
      }
    }
    return { size: count + 2 * QUIET_ZONE, path: cells.join('') };
  }, [text]);
  return (
    <svg class="qr" viewBox={`0 0 ${String(size)} ${String(size)}`} role="img" aria-label={label} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
