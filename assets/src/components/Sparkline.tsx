/**
 * A small line of values (characters typed per minute), for a glance where
 * a person would rather look than read. A picture with its values as its
 * accessible name; the monitor also offers them as a table.
 */
export function Sparkline({ values, label, width = 90, height = 20 }: { values: number[]; label: string; width?: number; height?: number }) {
  const most = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / most) * (height - 2)).toFixed(1)}`).join(' ');
  return (
    <svg class="sparkline" role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${String(width)} ${String(height)}`} data-testid="sparkline">
      <title>{label}</title>
      {values.length > 0 && <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />}
    </svg>
  );
}
