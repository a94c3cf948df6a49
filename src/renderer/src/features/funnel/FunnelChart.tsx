import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { FunnelResult } from '../../../../shared/contract';
import { fmtInt, fmtPct, fmtSeconds } from '../../format';
import { HIGHLIGHT_FILL, type FactFocus } from './factFocus';

interface LabelArgs {
  x?: number | string;
  y?: number | string;
  width?: number | string;
  index?: number;
  value?: unknown;
}

/** Stage bars with, above each later stage, the drop-off from the previous stage (engine figures). */
export function FunnelChart({ result, focus = null }: { result: FunnelResult; focus?: FactFocus | null }) {
  const at = focus?.kind === 'stage' ? focus.index : -1;
  const data = result.stages.map((s) => ({
    name: s.stage_name,
    users: s.users,
    conversion: s.conversion_rate,
    step: s.step_conversion_rate,
    drop: s.drop_off_rate,
  }));
  // Recharts can call a label renderer with an index from the previous data (a funnel with more
  // stages, issue 15): read the label's own value and draw nothing for an index out of range.
  const dropLabel = (p: LabelArgs) => {
    const i = p.index ?? 0;
    const drop = typeof p.value === 'number' ? p.value : data[i]?.drop;
    if (i === 0 || i >= data.length || drop === undefined) return <g />;
    const x = Number(p.x) + Number(p.width) / 2;
    const y = Number(p.y) - 24;
    return (
      <text x={x} y={y} textAnchor="middle" className="drop-label" fill="#b3261e" fontSize={12} fontWeight={600}>
        ▼ {fmtPct(drop)} drop-off
      </text>
    );
  };
  return (
    <div data-testid="funnel-chart">
      <div className="chart-box" role="img" aria-label={`Funnel: ${data.map((d) => `${d.name} ${fmtInt(d.users)} users`).join(', ')}`}>
        <ResponsiveContainer width="100%" height={300}>
          {/* Keyed by the stages so a different funnel draws a fresh chart rather than patching the old one. */}
          <BarChart key={data.map((d) => d.name).join('\u0000')} data={data} margin={{ top: 40, right: 16, left: 8, bottom: 4 }} barCategoryGap="22%">
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="name" tick={{ fontSize: 12 }} />
            <YAxis tickFormatter={(v: number) => fmtInt(v)} tick={{ fontSize: 12 }} width={70} />
            <Tooltip formatter={(v) => fmtInt(Number(v))} />
            <Bar dataKey="users" name="Users" fill="#2557d6" radius={[4, 4, 0, 0]} isAnimationActive={false}>
              <LabelList dataKey="users" position="top" formatter={(v) => fmtInt(Number(v))} fontSize={12} />
              <LabelList dataKey="drop" content={dropLabel} />
              {data.map((d, i) => (
                <Cell key={d.name} fill={i === at ? HIGHLIGHT_FILL : '#2557d6'} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <div className="table-scroll">
        <table className="table compact" data-testid="funnel-table">
          <thead>
            <tr>
              <th>Stage</th>
              <th className="num">Users</th>
              <th className="num">Conversion</th>
              <th className="num">Step conversion</th>
              <th className="num">Drop-off</th>
              <th className="num">Median time from previous</th>
            </tr>
          </thead>
          <tbody>
            {result.stages.map((s, i) => {
              const ttc = i > 0 ? result.time_to_convert.find((t) => t.to_stage === s.stage_name) : undefined;
              const hl = i === at;
              return (
                <tr key={s.stage_name} className={hl ? 'fact-highlight' : undefined} {...(hl ? { 'data-fact-highlight': 'true' } : {})}>
                  <td>{s.stage_name}</td>
                  <td className="num">{fmtInt(s.users)}</td>
                  <td className="num">{fmtPct(s.conversion_rate)}</td>
                  <td className="num">{i === 0 ? '–' : fmtPct(s.step_conversion_rate)}</td>
                  <td className="num">{i === 0 ? '–' : fmtPct(s.drop_off_rate)}</td>
                  <td
                    className="num"
                    title={ttc ? `p25 ${fmtSeconds(ttc.p25_seconds)} · p75 ${fmtSeconds(ttc.p75_seconds)} · p90 ${fmtSeconds(ttc.p90_seconds)}` : undefined}
                  >
                    {ttc ? fmtSeconds(ttc.median_seconds) : '–'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
