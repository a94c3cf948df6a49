import type { NarrateOutput } from '../../../../shared/contract';
import { Badge } from '../../components/ui';
import { fieldName, fromModel } from './narrative';

/**
 * Where the text came from: "computed" for the deterministic analyst (provider none), otherwise
 * the model's name and whether the grounding check passed: "verified", or "partly verified" with
 * how many fields show the computed text instead.
 */
export function Provenance({ narrative }: { narrative?: NarrateOutput | null }) {
  if (!fromModel(narrative)) {
    return (
      <span data-testid="provenance">
        <Badge tone="muted">computed</Badge>
      </span>
    );
  }
  const { grounding: g, generation } = narrative;
  const n = g.fallback_fields.length;
  const verified = g.passed && n === 0;
  return (
    <span data-testid="provenance" className="provenance">
      <Badge tone="info">{generation.model || generation.provider}</Badge>
      <span
        data-testid="grounding-badge"
        title={
          verified
            ? `All ${g.checked} checked numbers and citations match computed facts.`
            : `${g.ungrounded.length} finding(s) did not match a fact: ${g.fallback_fields.map(fieldName).join(', ')}.`
        }
      >
        {verified ? <Badge tone="good">verified</Badge> : <Badge tone="warn">{`partly verified — ${n} field(s) replaced by computed text`}</Badge>}
      </span>
      {generation.cache_hit && <Badge tone="muted">cached</Badge>}
      {generation.data_left_device && <Badge tone="warn">sent to a remote model</Badge>}
    </span>
  );
}
