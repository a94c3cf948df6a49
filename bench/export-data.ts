import fs from 'node:fs';
import readline from 'node:readline';

/**
 * The bench CSV (writeBenchLog) rewritten as a Mixpanel raw export: one JSON object per line,
 * {"event", "properties": {"time" (unix s), "distinct_id", "$insert_id", the four segments}},
 * the shape Mixpanel's export API documents. Same events, same order.
 */
export async function csvToMixpanel(csv: string, out: string): Promise<number> {
  const rl = readline.createInterface({ input: fs.createReadStream(csv), crlfDelay: Infinity });
  const fd = fs.openSync(out, 'w');
  let n = 0;
  let buf: string[] = [];
  let header = true;
  for await (const line of rl) {
    if (header) {
      header = false;
      continue;
    }
    if (!line) continue;
    const [u, t, e, country, platform, plan, tenure] = line.split(',');
    buf.push(`{"event":"${e}","properties":{"time":${t},"distinct_id":"${u}","$insert_id":"${(n++).toString(36).padStart(8, '0')}","mp_lib":"web","country":"${country}","platform":"${platform}","plan":"${plan}","tenure":"${tenure}"}}`);
    if (buf.length === 50000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);
  return n;
}
