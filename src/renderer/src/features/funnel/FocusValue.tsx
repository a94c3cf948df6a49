import { useCall } from '../../api/hooks';
import type { AnalysisTarget } from '../../state/useFunnelView';

/**
 * The cited fact's value in the Dashboard's focus note, read from the funnel's own fact sheet (the
 * same analysis the insights come from), so a link from Ask or Insights lands on the number it
 * showed, recomputed here rather than carried in the URL.
 */
export function FocusValue({ factId, target }: { factId: string; target: AnalysisTarget | null }) {
  const report = useCall('analytics:recommendations', target);
  const f = report.data?.facts.find((x) => x.id === factId);
  if (!f) return null;
  return (
    <>
      {' '}
      <span data-testid="fact-focus-value" data-fact-id={f.id}>
        {f.label}: <strong>{f.display}</strong>.
      </span>
    </>
  );
}
