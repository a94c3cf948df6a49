import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { FunnelResult } from '../../../../shared/contract';
import { Empty } from '../../components/ui';
import { fmtInt, fmtPct } from '../../format';
import { plural } from '../../../../shared/plural';
import { HIGHLIGHT_FILL, type FactFocus } from './factFocus';

const SHOWN = 12;

/** Overall conversion per segment value, and each stage's conversion per segment (all engine figures). */
export function SegmentComparison({ result, focus = null }: { result: FunnelResult; focus?: FactFocus | null }) {
  const at = focus?.kind === 'segment' ? focus.value : null;
  const breakdown = result.segment_breakdown;
  if (!result.segment_by || !breakdown) {
    return <Empty>Choose a “Break down by” column and compute to compare segments.</Empty>;
  }
  // Ordering only: the largest segments first, so a high-cardinality column stays readable.
  const all = Object.entries(breakdown).sort((a, b) => b[1].total_users - a[1].total_users);
  const rows = all.slice(0, SHOWN);
  const data = rows.map(([value, core]) => ({ name: value, conversion: core.overall_conversion_rate }));
  return (
    <div data-testid="segment-comparison">
      <div
        className="chart-box"
        role="img"
        aria-label={`Overall conversion by ${result.segment_by}: ${data.map((d) => `${d.name} ${fmtPct(d.conversion)}`).join(', ')}`}
      >
        {/* Horizontal bars: segment values (often long ids) stay readable as row labels. */}
        <ResponsiveContainer width="100%" height={Math.max(140, 28 * data.length + 40)}>
          <BarChart data={data} layout="vertical" margin={{ top: 4, right: 56, left: 8, bottom: 4 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" tickFormatter={(v: number) => `${v}%`} tick={{ fontSize: 12 }} />
            <YAxis type="category" dataKey="name" tick={{ fontSize: 12 }} width={110} interval={0} />
            <Tooltip formatter={(v) => fmtPct(Number(v))} />
            <Bar dataKey="conversion" name="Overall conversion" fill="#009E73" radius={[0, 4, 4, 0]} isAnimationActive={false}>
              <LabelList dataKey="conversion" position="right" formatter={(v) => fmtPct(Number(v))} fontSize={12} />
              {data.map((d) => (
                <Cell key={d.name} fill={d.name === at ? HIGHLIGHT_FILL : '#009E73'} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <div className="table-scroll">
        <table className="table compact" data-testid="segment-table">
          <thead>
            <tr>
              <th>{result.segment_by}</th>
              <th className="num">Users</th>
              {result.stages.slice(1).map((s) => (
                <th key={s.stage_name} className="num">
                  {s.stage_name} step conv.
                </th>
              ))}
              <th className="num">Overall</th>
              <th>vs others</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([value, core]) => {
              const hl = value === at;
              return (
                <tr key={value} className={hl ? 'fact-highlight' : undefined} {...(hl ? { 'data-fact-highlight': 'true' } : {})}>
                  <td>{value}</td>
                  <td className="num">{fmtInt(core.total_users)}</td>
                  {core.stages.slice(1).map((s) => (
                    <td key={s.stage_name} className="num">
                      {fmtPct(s.step_conversion_rate)}
                    </td>
                  ))}
                  <td className="num">
                    <strong>{fmtPct(core.overall_conversion_rate)}</strong>
                  </td>
                  <td>
                    <SignificanceCue test={result.segment_tests?.[value]} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {all.length > SHOWN && (
        <p className="muted small">
          Showing the {SHOWN} largest of {fmtInt(all.length)} values of {result.segment_by}.
        </p>
      )}
      <p className="muted small">
        Each user counts in the segment of the value on their first step-1 event. “vs others” compares the segment’s overall conversion with everyone else’s
        (two-proportion z-test, Holm-corrected over the segments); segments under 30 users are not compared.
      </p>
    </div>
  );
}

type SegmentTest = NonNullable<FunnelResult['segment_tests']>[string];

/** The engine's test of one segment against the rest, as a word and a tone: never a bare rate. */
function SignificanceCue({ test }: { test: SegmentTest | undefined }) {
  if (!test) return <span className="muted small">–</span>;
  if (test.p_adjusted === null)
    return (
      <span className="badge muted" title={test.reason ?? undefined} data-testid="segment-cue">
        {test.users < 30 ? `too few (${plural(test.users, 'user')})` : 'not tested'}
      </span>
    );
  const p = test.p_adjusted < 0.001 ? 'p < 0.001' : `p = ${test.p_adjusted.toFixed(3)}`;
  // Short words keep the column narrow in a half-width card; the p-value is in the tooltip.
  return test.significant ? (
    <span className="badge good" title={`Differs from the other users (Holm-adjusted ${p})`} data-testid="segment-cue">
      differs<span className="sr-only"> ({p})</span>
    </span>
  ) : (
    <span className="badge muted" title={`No clear difference from the other users (Holm-adjusted ${p})`} data-testid="segment-cue">
      similar<span className="sr-only"> ({p})</span>
    </span>
  );
}
