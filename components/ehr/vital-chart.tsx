'use client';

// uPlot is loaded only with this file (see vital-chart-lazy.tsx), so pages without charts never carry it.
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';
import { useEffect, useRef } from 'react';
import type { VitalSeries } from '@/server/clinical/chart-mapper';

const LINE_COLORS = ['#0b6e69', '#b35c00'];
const BAND_COLORS = ['rgba(11, 110, 105, 0.10)', 'rgba(179, 92, 0, 0.08)'];

export type VitalChartProps = { series: VitalSeries; lineLabels: string[]; height?: number };

/** Normal bands drawn under the lines, one per line that has one. */
function bandsPlugin(series: VitalSeries): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: (u: uPlot) => {
        const { ctx, bbox } = u;
        series.lines.forEach((line, index) => {
          if (!line.normal) return;
          const top = u.valToPos(line.normal.max, 'y', true);
          const bottom = u.valToPos(line.normal.min, 'y', true);
          ctx.save();
          ctx.fillStyle = BAND_COLORS[index % BAND_COLORS.length]!;
          ctx.fillRect(bbox.left, Math.max(bbox.top, top), bbox.width, Math.min(bbox.top + bbox.height, bottom) - Math.max(bbox.top, top));
          ctx.restore();
        });
      },
    },
  };
}

function yRange(series: VitalSeries): [number, number] {
  const values = series.lines.flatMap((line) => [...line.values, ...(line.normal ? [line.normal.min, line.normal.max] : [])]);
  if (values.length === 0) return [0, 1];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = Math.max(1, (max - min) * 0.1);
  return [Math.floor(min - pad), Math.ceil(max + pad)];
}

export function VitalChart({ series, lineLabels, height = 180 }: VitalChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const labelsKey = lineLabels.join('\u0000');

  useEffect(() => {
    const target = container.current;
    if (!target) return;
    const data: uPlot.AlignedData = [series.times.map((t) => t / 1000), ...series.lines.map((line) => line.values)];
    const range = yRange(series);
    const chart = new uPlot(
      {
        width: Math.max(240, target.clientWidth),
        height,
        legend: { show: series.lines.length > 1 },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: () => range } },
        axes: [{ size: 36 }, { size: 44 }],
        series: [
          {},
          ...series.lines.map((_, index) => ({
            label: labelsKey.split('\u0000')[index] ?? '',
            stroke: LINE_COLORS[index % LINE_COLORS.length],
            width: 2,
            points: { show: series.times.length <= 60, size: 5 },
          })),
        ],
        plugins: [bandsPlugin(series)],
      },
      data,
      target,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(240, target.clientWidth), height }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [series, labelsKey, height]);

  return <div ref={container} className="vital-chart-canvas" aria-hidden="true" />;
}
