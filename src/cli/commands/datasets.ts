import type { Command } from '../framework';
import { formatTable } from '../framework';

export const datasetsList: Command = {
  path: ['datasets', 'list'],
  summary: 'List imported datasets.',
  usage: 'iafa datasets list [--json]',
  options: {},
  async run(_args, rt) {
    const { datasets } = await rt.engine().dispatch('datasets:list', {});
    if (rt.json) {
      rt.io.stdout(JSON.stringify({ datasets }, null, 2) + '\n');
      return;
    }
    if (datasets.length === 0) {
      rt.io.stdout('No datasets yet. Import one with `iafa import <file>` or try `iafa funnel sample ...`.\n');
      return;
    }
    rt.io.stdout(
      formatTable(
        datasets.map((d) => ({
          id: d.id,
          name: d.name,
          kind: d.kind,
          rows: d.rowCount,
          users: d.userCount,
          created: d.createdAt.slice(0, 16).replace('T', ' '),
        })),
        [
          { key: 'id', title: 'ID' },
          { key: 'name', title: 'NAME' },
          { key: 'kind', title: 'KIND' },
          { key: 'rows', title: 'ROWS' },
          { key: 'users', title: 'USERS' },
          { key: 'created', title: 'CREATED (UTC)' },
        ],
      ),
    );
  },
};

export const datasetsShow: Command = {
  path: ['datasets', 'show'],
  summary: 'Show one dataset: columns, mapping and import warnings.',
  usage: 'iafa datasets show <id> [--json]',
  options: {},
  allowPositionals: true,
  async run({ positionals }, rt) {
    const id = positionals[0];
    const d = await rt.engine().dispatch('datasets:get', { id });
    if (rt.json) {
      rt.io.stdout(JSON.stringify(d, null, 2) + '\n');
      return;
    }
    rt.io.stdout(`${d.name} (${d.id})\nkind: ${d.kind}   rows: ${d.rowCount.toLocaleString('en-US')}   source: ${d.sourceName}\n\n`);
    rt.io.stdout(
      formatTable(
        d.columns.map((c) => ({ name: c.name, role: c.role, type: c.type, distinct: c.distinct })),
        [
          { key: 'name', title: 'COLUMN' },
          { key: 'role', title: 'ROLE' },
          { key: 'type', title: 'TYPE' },
          { key: 'distinct', title: 'DISTINCT' },
        ],
      ),
    );
    for (const w of d.warnings) rt.io.stdout(`warning: ${w.message}\n`);
  },
};

export const datasetsDelete: Command = {
  path: ['datasets', 'delete'],
  summary: 'Delete a dataset and its funnels.',
  usage: 'iafa datasets delete <id> [--json]',
  options: {},
  allowPositionals: true,
  async run({ positionals }, rt) {
    const out = await rt.engine().dispatch('datasets:delete', { id: positionals[0] });
    rt.io.stdout(rt.json ? JSON.stringify(out) + '\n' : `Deleted ${positionals[0]}.\n`);
  },
};
