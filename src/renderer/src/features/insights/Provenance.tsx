import type { GenerationInfo, GroundingReport } from '../../../../shared/contract';
import { Badge } from '../../components/ui';

interface Props {
  provider: string;
  model?: string | null;
  generation?: GenerationInfo;
  grounding?: GroundingReport;
}

/**
 * Where the text came from: "computed" for the deterministic analyst (provider none), otherwise
 * the model's name and, when the grounding check ran, whether every number matched a fact.
 */
export function Provenance({ provider, model, generation, grounding }: Props) {
  const who = generation?.provider ?? provider;
  if (who === 'none') {
    return <span data-testid="provenance"><Badge tone="muted">computed</Badge></span>;
  }
  const name = generation?.model || model || who;
  const verified = grounding ? grounding.passed && grounding.fallback_fields.length === 0 && grounding.ungrounded.length === 0 : null;
  return (
    <span data-testid="provenance" className="provenance">
      <Badge tone="info">{name}</Badge>
      {grounding && (
        <span title={verified ? `All ${grounding.checked} numbers match computed facts.` : `${grounding.ungrounded.length} number(s) did not match a fact; ${grounding.fallback_fields.length} field(s) use the computed text.`}>
          <Badge tone={verified ? 'good' : 'warn'}>{verified ? 'verified' : 'partly verified'}</Badge>
        </span>
      )}
      {generation?.data_left_device && <Badge tone="warn">sent to a remote model</Badge>}
    </span>
  );
}
