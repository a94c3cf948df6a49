import type { Fact } from '../../../../shared/contract';

/** The computed facts a text cites, by id, as label = display value. */
export function FactList({ ids, facts, title = 'Cited facts' }: { ids: string[]; facts: Map<string, Fact>; title?: string }) {
  const cited = ids.map((id) => facts.get(id)).filter((f): f is Fact => Boolean(f));
  if (cited.length === 0) return null;
  return (
    <div className="facts">
      <span className="facts-title">{title}</span>
      <ul>
        {cited.map((f) => (
          <li key={f.id} title={f.id}>
            <span className="muted">{f.label}:</span> <strong>{f.display}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}
