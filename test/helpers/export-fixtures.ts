import zlib from 'node:zlib';
import { seededRandom } from '../../src/core/random';

/**
 * One set of events written as each analytics tool exports it, from the tools' public format
 * documentation (Mixpanel's raw event export API, Amplitude's export API, Segment's spec for
 * track/page/identify calls, GA4's BigQuery export schema, a warehouse dump with a JSON
 * `properties` column) and as the flat CSV they must all agree with. No file is copied from a tool.
 */
export interface CanonEvent {
  user: string;
  /** Unix seconds. */
  time: number;
  event: string;
  plan: string;
  country: string;
  intent: string;
  /** Never identified: Amplitude writes user_id null (the device id is the user), Segment only anonymousId. */
  anonymous: boolean;
  insertId: string;
}

export const EXPORT_STEPS = ['Viewed Home Page', 'Signed Up', 'Purchased'];
const NOISE = ['Searched', 'Shared'];
const PLANS = ['free', 'plus', 'pro'];
const COUNTRIES = ['US', 'DE', 'BR', 'JP'];
const INTENTS = ['browse', 'compare', 'buy'];
const START = 1767225600; // 2026-01-01T00:00:00Z

export function canonEvents(users: number, seed = 7): CanonEvent[] {
  const r = seededRandom(seed);
  const out: CanonEvent[] = [];
  let k = 0;
  for (let u = 0; u < users; u++) {
    const anonymous = r() < 0.2;
    const user = anonymous ? `dev-${(1e6 + u).toString(36)}` : `u${1000 + u}`;
    const plan = PLANS[Math.floor(r() * 3)];
    const country = COUNTRIES[Math.floor(r() * 4)];
    let t = START + Math.floor(r() * 20 * 86400);
    const depth = r() < 0.5 ? 1 : r() < 0.6 ? 2 : 3;
    for (let s = 0; s < depth; s++) {
      out.push({
        user,
        time: t,
        event: EXPORT_STEPS[s],
        plan,
        country,
        intent: INTENTS[Math.floor(r() * 3)],
        anonymous,
        insertId: `ins-${(k++).toString(36)}`,
      });
      t += 60 + Math.floor(r() * (s === 1 && r() < 0.2 ? 9 * 86400 : 86400));
      if (r() < 0.4)
        out.push({
          user,
          time: t - 30,
          event: NOISE[Math.floor(r() * 2)],
          plan,
          country,
          intent: INTENTS[Math.floor(r() * 3)],
          anonymous,
          insertId: `ins-${(k++).toString(36)}`,
        });
    }
  }
  return out;
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

export function flatCsv(ev: CanonEvent[]): string {
  return (
    ['user_id,time,event,plan,country,user_intent', ...ev.map((e) => `${e.user},${iso(e.time)},${e.event},${e.plan},${e.country},${e.intent}`)].join('\n') +
    '\n'
  );
}

/** Mixpanel raw export: NDJSON, {event, properties: {time (unix s), distinct_id, $insert_id, ...}}; every 25th event sent twice. */
export function mixpanelLines(ev: CanonEvent[]): { lines: string[]; duplicates: number } {
  const lines: string[] = [];
  let duplicates = 0;
  ev.forEach((e, i) => {
    const line = JSON.stringify({
      event: e.event,
      properties: {
        time: e.time,
        distinct_id: e.user,
        $insert_id: e.insertId,
        mp_lib: 'web',
        $browser: 'Chrome',
        plan: e.plan,
        mp_country_code: e.country,
        user_intent: e.intent,
      },
    });
    lines.push(line);
    if (i % 25 === 0) {
      lines.push(line);
      duplicates++;
    }
  });
  return { lines, duplicates };
}

/** Amplitude export: one JSON object per line (the API zips hourly .json.gz files). */
export function amplitudeLines(ev: CanonEvent[]): string[] {
  return ev.map((e, i) => {
    const t = new Date(e.time * 1000).toISOString().replace('T', ' ').replace('Z', '000');
    return JSON.stringify({
      event_type: e.event,
      user_id: e.anonymous ? null : e.user,
      device_id: e.anonymous ? e.user : `D-${e.user}`,
      amplitude_id: 900000 + i,
      event_time: t,
      client_event_time: t,
      platform: 'Web',
      country: e.country,
      os_name: 'Chrome',
      event_properties: { user_intent: e.intent },
      user_properties: { plan: e.plan },
      $insert_id: e.insertId,
    });
  });
}

/** Segment / RudderStack: track calls, page calls for "Viewed X Page", and identify calls (not events). */
export function segmentCalls(ev: CanonEvent[]): { calls: object[]; identifies: number } {
  const calls: object[] = [];
  let identifies = 0;
  const seen = new Set<string>();
  for (const e of ev) {
    const ids = e.anonymous ? { anonymousId: e.user } : { userId: e.user, anonymousId: `anon-${e.user}` };
    const common = {
      ...ids,
      timestamp: iso(e.time),
      messageId: `msg-${e.insertId}`,
      context: { library: { name: 'analytics.js' }, location: { country: e.country } },
    };
    const page = /^Viewed (.+) Page$/.exec(e.event);
    if (page) calls.push({ type: 'page', name: page[1], ...common, properties: { plan: e.plan, user_intent: e.intent } });
    else calls.push({ type: 'track', event: e.event, ...common, properties: { plan: e.plan, user_intent: e.intent } });
    if (!e.anonymous && !seen.has(e.user)) {
      seen.add(e.user);
      calls.push({ type: 'identify', userId: e.user, timestamp: iso(e.time), traits: { plan: e.plan } });
      identifies++;
    }
  }
  return { calls, identifies };
}

const kv = (key: string, v: string | number) => ({
  key,
  value: { string_value: typeof v === 'string' ? v : null, int_value: typeof v === 'number' ? String(v) : null, float_value: null, double_value: null },
});

/** GA4's BigQuery export as `bq extract` writes NDJSON: INT64 as strings, event_params as a key/value list. */
export function ga4Rows(ev: CanonEvent[]): object[] {
  return ev.map((e) => ({
    event_date: iso(e.time).slice(0, 10).replace(/-/g, ''),
    event_timestamp: String(e.time * 1_000_000),
    event_name: e.event,
    event_params: [kv('user_intent', e.intent), kv('ga_session_id', 1000 + (e.time % 977))],
    user_pseudo_id: e.user,
    user_properties: [
      {
        key: 'plan',
        value: { string_value: e.plan, int_value: null, float_value: null, double_value: null, set_timestamp_micros: String(e.time * 1_000_000) },
      },
    ],
    device: { category: 'desktop', operating_system: 'Windows', web_info: { browser: 'Chrome' } },
    geo: { country: e.country, city: '' },
    traffic_source: { source: 'google', medium: 'organic' },
  }));
}

/** A warehouse or PostHog-style dump: flat columns plus a JSON object in `properties`. */
export function jsonPropertyCsv(ev: CanonEvent[]): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return (
    [
      'distinct_id,timestamp,event,properties',
      ...ev.map((e) => `${e.user},${iso(e.time)},${e.event},${q(JSON.stringify({ plan: e.plan, country: e.country, user_intent: e.intent }))}`),
    ].join('\n') + '\n'
  );
}

/** A warehouse JSON dump whose `properties` column was exported as text holding a JSON object. */
export function jsonStringProperties(ev: CanonEvent[]): object[] {
  return ev.map((e) => ({
    distinct_id: e.user,
    timestamp: iso(e.time),
    event: e.event,
    properties: JSON.stringify({ plan: e.plan, country: e.country, user_intent: e.intent }),
  }));
}

/** No tool's layout: nested objects a generic flattening must read ("user.id", "event.name"). */
export function genericNested(ev: CanonEvent[]): object[] {
  return ev.map((e) => ({
    user: { id: e.user },
    ts: iso(e.time),
    event: { name: e.event },
    attrs: { plan: e.plan, geo: { country: e.country } },
    user_intent: e.intent,
  }));
}

export const ndjson = (objs: (object | string)[]) => objs.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n';

/** gzip in several members (as a tool that appends hourly batches writes it). */
export function gzipMembers(text: string, members = 3): Buffer {
  const b = Buffer.from(text);
  const parts: Buffer[] = [];
  const step = Math.ceil(b.length / members);
  for (let i = 0; i < b.length; i += step) parts.push(zlib.gzipSync(b.subarray(i, i + step)));
  return Buffer.concat(parts);
}

/** A minimal zip writer (deflate or stored members, central directory), enough for fixtures. */
export function zipOf(members: { name: string; data: Buffer; store?: boolean; fakeSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const comp = m.store ? m.data : zlib.deflateRawSync(m.data);
    const name = Buffer.from(m.name);
    const crc = zlib.crc32(m.data);
    const size = m.fakeSize ?? m.data.length;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x800, 6);
    lh.writeUInt16LE(m.store ? 0 : 8, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(comp.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    locals.push(lh, name, comp);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x800, 8);
    ch.writeUInt16LE(m.store ? 0 : 8, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(comp.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name);
    offset += 30 + name.length + comp.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** Splits NDJSON text into n line-aligned parts (hourly files of an export). */
export function splitLines(text: string, n: number): string[] {
  const lines = text.trimEnd().split('\n');
  const per = Math.ceil(lines.length / n);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += per) out.push(lines.slice(i, i + per).join('\n') + '\n');
  return out;
}

/** Writes `rows` as Parquet through DuckDB (a dev dependency), from NDJSON, with the given codec. */
export async function writeParquet(ndjsonPath: string, out: string, codec: 'snappy' | 'gzip' | 'zstd'): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    `COPY (SELECT * FROM read_json_auto('${ndjsonPath.replace(/'/g, "''")}')) TO '${out.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2000)`,
  );
  c.closeSync?.();
}
