import { escapeHtml } from './text';
import type { FunnelStageRow, SegmentRow, Trend } from './model';

/**
 * Charts as inline SVG strings, generated here because the report must be one file with no
 * scripts and no network: recharts needs a DOM and React. Every label is a fact display or a
 * name; the value axis is labelled only at 0 and at its (fact) maximum.
 */

const W = 680;
/** Label column widths; grounding masks the clipped labels too (a clipped name is still a name). */
export const FUNNEL_LABEL_W = 150;
export const SEGMENT_LABEL_W = 170;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';
const COLORS = {
  bar: '#2563eb',
  prev: '#cbd5e1',
  good: '#15803d',
  bad: '#b91c1c',
  line: '#1d4ed8',
  band: '#bfdbfe',
  grid: '#e5e7eb',
  text: '#111827',
  muted: '#6b7280',
};

function svgOpen(h: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="${escapeHtml(label)}" ${FONT} font-size="12">`;
}

/** Shortens a label to fit `px` at 12px: no measuring without a DOM, so wide (CJK) glyphs count double. */
export function clip(s: string, px: number): string {
  const w = (ch: string) => (/[\u1100-\uffff]/.test(ch) && !/[→–—…·]/.test(ch) ? 12 : 7);
  let used = 0;
  const chars = [...s];
  for (let i = 0; i < chars.length; i++) {
    used += w(chars[i]);
    if (used > px) return `${chars.slice(0, Math.max(1, i - 1)).join('')}…`;
  }
  return s;
}

export function funnelSvg(rows: FunnelStageRow[]): string {
  if (!rows.length) return '';
  const labelW = FUNNEL_LABEL_W;
  const barW = W - labelW - 190;
  const rowH = 38;
  const hasPrev = rows.some((r) => r.previous_users);
  const h = rows.length * rowH + (hasPrev ? 28 : 6);
  const max = Math.max(...rows.map((r) => Math.max(r.users.value, r.previous_users?.value ?? 0)), 1);
  const parts = [svgOpen(h, 'Funnel: users reaching each stage')];
  rows.forEach((r, i) => {
    const y = 8 + i * rowH;
    const w = Math.max(2, (r.users.value / max) * barW);
    parts.push(`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" fill="${COLORS.text}">${escapeHtml(clip(r.name, labelW - 10))}</text>`);
    parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="20" rx="3" fill="${COLORS.bar}"/>`);
    if (r.previous_users) {
      const pw = Math.max(2, (r.previous_users.value / max) * barW);
      parts.push(`<rect x="${labelW}" y="${y + 23}" width="${pw.toFixed(1)}" height="6" rx="2" fill="${COLORS.prev}"/>`);
    }
    const note = r.step ? `${r.conversion.display} of entrants · step ${r.step.display}` : r.conversion.display;
    parts.push(
      `<text x="${labelW + w + 6}" y="${y + 15}" fill="${COLORS.text}"><tspan font-weight="600">${escapeHtml(r.users.display)}</tspan><tspan fill="${COLORS.muted}"> ${escapeHtml(note)}</tspan></text>`,
    );
  });
  if (hasPrev) {
    const y = h - 10;
    parts.push(
      `<rect x="${labelW}" y="${y - 8}" width="12" height="8" fill="${COLORS.bar}"/><text x="${labelW + 16}" y="${y}" fill="${COLORS.muted}">current period</text>`,
    );
    parts.push(
      `<rect x="${labelW + 120}" y="${y - 6}" width="12" height="5" fill="${COLORS.prev}"/><text x="${labelW + 136}" y="${y}" fill="${COLORS.muted}">previous period</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

export function segmentSvg(by: string, rows: SegmentRow[]): string {
  if (!rows.length) return '';
  const labelW = SEGMENT_LABEL_W;
  const barW = W - labelW - 170;
  const rowH = 26;
  const h = rows.length * rowH + 10;
  const max = Math.max(...rows.map((r) => r.conversion.value), 1e-9);
  const parts = [svgOpen(h, `Overall conversion by ${by}`)];
  rows.forEach((r, i) => {
    const y = 5 + i * rowH;
    const w = Math.max(2, (r.conversion.value / max) * barW);
    parts.push(`<text x="${labelW - 8}" y="${y + 13}" text-anchor="end" fill="${COLORS.text}">${escapeHtml(clip(r.segment, labelW - 10))}</text>`);
    parts.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="17" rx="3" fill="${COLORS.bar}" fill-opacity="0.85"/>`);
    parts.push(
      `<text x="${labelW + w + 6}" y="${y + 13}" fill="${COLORS.text}"><tspan font-weight="600">${escapeHtml(r.conversion.display)}</tspan><tspan fill="${COLORS.muted}"> of ${escapeHtml(r.users.display)} users</tspan></text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export function trendSvg(t: Trend): string {
  const left = 56;
  const right = 16;
  const top = 14;
  const plotH = 190;
  const h = top + plotH + 56;
  const fc = t.forecast?.points ?? [];
  const days = [...t.points.map((p) => p.date.value), ...fc.map((p) => p.date.value)];
  const x0 = Math.min(...days);
  const x1 = Math.max(...days);
  const max = t.axis_max.value || 1;
  const sx = (ms: number) => left + ((ms - x0) / Math.max(1, x1 - x0)) * (W - left - right);
  const sy = (v: number) => top + plotH - (Math.min(v, max) / max) * plotH;
  const parts = [svgOpen(h, t.metric_label)];
  for (const f of [0, 0.25, 0.5, 0.75, 1])
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${sy(f * max).toFixed(1)}" y2="${sy(f * max).toFixed(1)}" stroke="${COLORS.grid}"/>`);
  parts.push(`<text x="${left - 6}" y="${sy(0) + 4}" text-anchor="end" fill="${COLORS.muted}">${escapeHtml(t.axis_min.display)}</text>`);
  parts.push(`<text x="${left - 6}" y="${sy(max) + 4}" text-anchor="end" fill="${COLORS.muted}">${escapeHtml(t.axis_max.display)}</text>`);
  if (fc.length) {
    const upper = fc.map((p) => `${sx(p.date.value).toFixed(1)},${sy(p.upper.value).toFixed(1)}`);
    const lower = fc
      .slice()
      .reverse()
      .map((p) => `${sx(p.date.value).toFixed(1)},${sy(p.lower.value).toFixed(1)}`);
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${COLORS.band}" fill-opacity="0.7"/>`);
    parts.push(
      `<polyline points="${fc.map((p) => `${sx(p.date.value).toFixed(1)},${sy(p.value.value).toFixed(1)}`).join(' ')}" fill="none" stroke="${COLORS.line}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
    );
  }
  parts.push(
    `<polyline points="${t.points.map((p) => `${sx(p.date.value).toFixed(1)},${sy(p.value.value).toFixed(1)}`).join(' ')}" fill="none" stroke="${COLORS.line}" stroke-width="2"/>`,
  );
  // Dot area follows the users starting that day, so a 0% or 100% day with one user reads as noise.
  const most = Math.max(...t.points.map((p) => p.entries.value), 1);
  for (const p of t.points)
    parts.push(
      `<circle cx="${sx(p.date.value).toFixed(1)}" cy="${sy(p.value.value).toFixed(1)}" r="${(1.5 + 2.5 * Math.sqrt(p.entries.value / most)).toFixed(1)}" fill="${COLORS.line}" fill-opacity="0.8"/>`,
    );
  const byDay = new Map(t.points.map((p) => [p.date.value, p]));
  for (const a of t.anomalies) {
    const p = byDay.get(a.date.value);
    if (!p || a.metric !== 'overall conversion rate' || a.segment) continue;
    parts.push(`<circle cx="${sx(p.date.value).toFixed(1)}" cy="${sy(p.value.value).toFixed(1)}" r="6" fill="none" stroke="${COLORS.bad}" stroke-width="2"/>`);
  }
  const axisY = top + plotH + 16;
  parts.push(`<text x="${left}" y="${axisY}" fill="${COLORS.muted}">${escapeHtml(t.points[0].date.display)}</text>`);
  const lastDay = fc.length ? fc[fc.length - 1].date : t.points[t.points.length - 1].date;
  parts.push(`<text x="${W - right}" y="${axisY}" text-anchor="end" fill="${COLORS.muted}">${escapeHtml(lastDay.display)}</text>`);
  const ly = h - 12;
  parts.push(
    `<line x1="${left}" x2="${left + 20}" y1="${ly - 4}" y2="${ly - 4}" stroke="${COLORS.line}" stroke-width="2"/><text x="${left + 26}" y="${ly}" fill="${COLORS.muted}">observed (dot size: users starting)</text>`,
  );
  if (fc.length)
    parts.push(
      `<rect x="${left + 262}" y="${ly - 10}" width="20" height="10" fill="${COLORS.band}"/><text x="${left + 288}" y="${ly}" fill="${COLORS.muted}">forecast and prediction interval</text>`,
    );
  if (t.anomalies.length)
    parts.push(
      `<circle cx="${left + 540}" cy="${ly - 4}" r="5" fill="none" stroke="${COLORS.bad}" stroke-width="2"/><text x="${left + 550}" y="${ly}" fill="${COLORS.muted}">anomaly</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}
