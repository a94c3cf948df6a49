import { useState } from 'react';
import { api, errorMessage } from '../../api/client';
import { useCall } from '../../api/hooks';
import { Badge, ErrorNote, Panel } from '../../components/ui';
import { plural } from '../../../../shared/plural';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const int = (v: number) => v.toLocaleString('en-US');
const usd = (v: number) => `$${v.toFixed(v < 1 ? 4 : 2)}`;

/** The seed's quality and usage figures, computed by the engine from stored generations and ratings. */
export function UsagePanel() {
  const [days, setDays] = useState(30);
  const usage = useCall('llm:usage', { days });
  const u = usage.data;
  return (
    <Panel
      title="Model usage and quality"
      id="settings-usage"
      actions={
        <>
          <label className="settings-inline">
            Last{' '}
            <select value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Period in days">
              {[7, 30, 90, 365].map((d) => (
                <option key={d} value={d}>
                  {plural(d, 'day')}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={usage.reload}>
            Refresh
          </button>
        </>
      }
    >
      <ErrorNote message={usage.error} />
      {u && (
        <>
          <dl className="settings-figures" data-testid="usage-figures">
            <div>
              <dt>Generations</dt>
              <dd>{int(u.generations)}</dd>
            </div>
            <div>
              <dt>Cache hit rate</dt>
              <dd>{pct(u.cache_hit_rate)}</dd>
            </div>
            <div>
              <dt>Rated helpful</dt>
              <dd>{pct(u.helpful_share)}</dd>
              <dd className="muted small">
                {int(u.rated_items)} rated item{u.rated_items === 1 ? '' : 's'}
              </dd>
            </div>
            <div>
              <dt>Average stars</dt>
              <dd>{u.average_stars === null ? '—' : u.average_stars.toFixed(1)}</dd>
            </div>
            <div>
              <dt>Remote cost (estimate)</dt>
              <dd>{usd(u.remote_cost_usd)}</dd>
            </div>
          </dl>
          {u.providers.length > 0 && (
            <table className="table">
              <thead>
                <tr>
                  <th>Provider</th>
                  <th className="num">Requests</th>
                  <th className="num">Today / limit</th>
                  <th className="num">Tokens in / out</th>
                  <th className="num">Cost</th>
                </tr>
              </thead>
              <tbody>
                {u.providers.map((p) => (
                  <tr key={p.provider}>
                    <td>{p.provider}</td>
                    <td className="num">{int(p.requests)}</td>
                    <td className="num">
                      {int(p.requests_today)} / {p.daily_limit === null ? 'no limit' : int(p.daily_limit)}
                    </td>
                    <td className="num">
                      {int(p.tokens_in)} / {int(p.tokens_out)}
                    </td>
                    <td className="num">{usd(p.cost_usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {u.per_day.length > 0 && (
            <details>
              <summary>Generations per day</summary>
              <table className="table compact">
                <thead>
                  <tr>
                    <th>Day</th>
                    <th className="num">Generations</th>
                    <th className="num">Cache hits</th>
                  </tr>
                </thead>
                <tbody>
                  {u.per_day.map((d) => (
                    <tr key={d.day}>
                      <td>{d.day}</td>
                      <td className="num">{int(d.generations)}</td>
                      <td className="num">{int(d.cache_hits)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </>
      )}
    </Panel>
  );
}

/** Built-in prompt templates and the user's overrides (files in the data folder), with a reset. */
export function PromptsPanel() {
  const prompts = useCall('prompts:list', {});
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function reset(id: Parameters<typeof api<'prompts:reset'>>[1]['id']) {
    setError(null);
    try {
      const r = await api('prompts:reset', { id });
      setNote(
        r.reset
          ? `Reset “${id}” to the built-in prompt${r.backup ? `; your version is kept as ${r.backup}` : ''}.`
          : `“${id}” already uses the built-in prompt.`,
      );
      prompts.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  }
  return (
    <Panel title="Prompt templates" id="settings-prompts">
      <ErrorNote message={error ?? prompts.error} />
      {note && (
        <div className="note info" role="status">
          {note}
        </div>
      )}
      {prompts.data && (
        <>
          <p className="muted small">
            To customize a prompt, edit its file in <code>{prompts.data.folder}</code>; the version in use is recorded with every generation.
          </p>
          <table className="table" data-testid="prompts-table">
            <thead>
              <tr>
                <th>Task</th>
                <th>Version</th>
                <th>Source</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {prompts.data.prompts.map((p) => (
                <tr key={p.id}>
                  <td>{p.id.replace(/_/g, ' ')}</td>
                  <td>
                    {p.version}
                    {p.custom && p.version !== p.builtin_version && <span className="muted small"> (built-in {p.builtin_version})</span>}
                  </td>
                  <td>
                    {p.custom ? (
                      <>
                        <Badge tone="warn">custom</Badge> <code className="small">{p.path}</code>
                      </>
                    ) : (
                      <Badge tone="muted">built-in</Badge>
                    )}
                  </td>
                  <td>
                    {p.custom && (
                      <button type="button" onClick={() => reset(p.id)}>
                        Reset to built-in
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}
