import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { FunnelResult } from '../../../../shared/contract';
import { Empty } from '../../components/ui';
import { fmtInt } from '../../format';
import { color } from './palette';

/** Users per stage by the day of their step-1 event, in the funnel's time zone. */
export function DailyTrend({ result }: { result: FunnelResult }) {
  if (result.daily.length === 0) return <Empty>No daily series: the dataset has no event times in this range.</Empty>;
  const names = result.stages.map((s) => s.stage_name);
  // Isolated days (a stray event months away) would stretch the date axis: only the main block is drawn.
  const dense = result.dense_range;
  const daily = dense ? result.daily.filter((d) => d.date.slice(0, 10) >= dense.start && d.date.slice(0, 10) <= dense.end) : result.daily;
  const data = daily.map((d) => {
    const row: Record<string, string | number> = { date: d.date };
    names.forEach((n, i) => {
      row[n] = d.users[i] ?? 0;
    });
    return row;
  });
  return (
    <div
      data-testid="daily-trend"
      className="chart-box"
      role="img"
      aria-label={`Daily users per stage from ${daily[0].date} to ${daily[daily.length - 1].date} (${result.definition.tz})`}
    >
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 8, right: 16, left: 8, bottom: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="date" tick={{ fontSize: 12 }} minTickGap={24} />
          <YAxis tickFormatter={(v: number) => fmtInt(v)} tick={{ fontSize: 12 }} width={64} />
          <Tooltip formatter={(v) => fmtInt(Number(v))} />
          <Legend itemSorter={null} />
          {names.map((n, i) => (
            <Line key={n} type="monotone" dataKey={n} stroke={color(i)} dot={daily.length < 20} strokeWidth={2} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
