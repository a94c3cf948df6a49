import { storedRows } from './stored-rows';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Two throw-away ClickHouse servers on loopback ports, each with its own config folder in a temp
 * directory, a `remote_servers` cluster over both, and an admin user for loading data. The tests
 * talk to them over HTTP. Servers are started as child processes and stopped by PID.
 */
export const CLICKHOUSE_BIN = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server'].find((p) => fs.existsSync(p)) ?? null;
export const NO_CLICKHOUSE = 'clickhouse-server is not installed (apt-get install clickhouse-server clickhouse-client)';

/** The password of the `analyst` user the tests connect as; the admin user has none. */
export const ANALYST_PASSWORD = 'test-secret-Ω';

export interface TestServer {
  pid: number;
  http: number;
  tcp: number;
  dir: string;
}

export interface TestCluster {
  servers: TestServer[];
  /** Runs SQL as the admin user on server i (default 0); returns the body. */
  admin(sql: string, i?: number, body?: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function configXml(dir: string, p: { http: number; tcp: number; inter: number }, shards: number[]): string {
  const shardXml = shards.map((port) => `<shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`).join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><size>10M</size><count>1</count><console>0</console></logger>
  <http_port>${p.http}</http_port>
  <tcp_port>${p.tcp}</tcp_port>
  <interserver_http_port>${p.inter}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>64</max_connections>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <timezone>UTC</timezone>
  <remote_servers><iafa_test>${shardXml}</iafa_test></remote_servers>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>200</flush_interval_milliseconds></query_log>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><log_queries>1</log_queries><max_threads>2</max_threads></default>
    <viewer><log_queries>1</log_queries><max_threads>2</max_threads><readonly>1</readonly></viewer>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <analyst><password>${ANALYST_PASSWORD}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></analyst>
    <viewer><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>viewer</profile><quota>default</quota></viewer>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitReady(port: number, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited (${child.exitCode}): ${readLog(dir)}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/ping`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`clickhouse-server on ${port} did not answer within 60 s: ${readLog(dir)}`);
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'log', 'error.log'), 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

async function adminQuery(port: number, sql: string, body?: string): Promise<string> {
  const base = `http://127.0.0.1:${port}/?user=default`;
  const r = await fetch(body === undefined ? base : `${base}&query=${encodeURIComponent(sql)}`, { method: 'POST', body: body === undefined ? sql : body });
  const text = await r.text();
  if (!r.ok) throw new Error(`ClickHouse admin query failed: ${text.slice(0, 500)}\n${sql.slice(0, 300)}`);
  return text;
}

/** Starts n servers (default 2) that all know the cluster `iafa_test` over every one of them. */
/**
 * Starts n servers, retrying with new ports when one of them lost a port to another test file's
 * cluster (free ports are picked, then released, so two files starting at once can race): such a
 * server exits at once, while /ping may have been answered by the other cluster on that port.
 */
export async function startCluster(n = 2): Promise<TestCluster> {
  for (let attempt = 1; ; attempt++) {
    const c = await startClusterOnce(n);
    await new Promise((r) => setTimeout(r, 1000));
    const ours = await Promise.all(c.servers.map((s) => ownsPort(s)));
    if (ours.every(Boolean)) return c;
    await c.stop();
    if (attempt === 3) throw new Error('clickhouse-server: could not get free ports after 3 attempts');
  }
}

/** The server is alive and answers a query on its HTTP port (an interserver port answers 404). */
async function ownsPort(s: TestServer): Promise<boolean> {
  try {
    process.kill(s.pid, 0);
    const r = await fetch(`http://127.0.0.1:${s.http}/?user=default&query=${encodeURIComponent('SELECT 1')}`);
    return r.ok && (await r.text()).trim() === '1';
  } catch {
    return false;
  }
}

async function startClusterOnce(n: number): Promise<TestCluster> {
  if (!CLICKHOUSE_BIN) throw new Error(NO_CLICKHOUSE);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iafa-ch-'));
  const ports = [];
  for (let i = 0; i < n; i++) ports.push({ http: await freePort(), tcp: await freePort(), inter: await freePort() });
  const children: ChildProcess[] = [];
  const servers: TestServer[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const dir = path.join(root, `s${i}`);
      for (const d of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) fs.mkdirSync(path.join(dir, d), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'config.xml'),
        configXml(
          dir,
          ports[i],
          ports.map((p) => p.tcp),
        ),
      );
      fs.writeFileSync(path.join(dir, 'users.xml'), USERS_XML);
      const child = spawn(CLICKHOUSE_BIN, [`--config-file=${path.join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore', detached: false });
      children.push(child);
      servers.push({ pid: child.pid!, http: ports[i].http, tcp: ports[i].tcp, dir });
    }
    for (let i = 0; i < n; i++) await waitReady(servers[i].http, children[i], servers[i].dir);
  } catch (e) {
    for (const c of children) c.kill('SIGKILL');
    throw e;
  }
  return {
    servers,
    admin: (sql, i = 0, body) => adminQuery(servers[i].http, sql, body),
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
              c.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
              process.kill(c.pid!, 'SIGTERM');
            }),
        ),
      );
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** TabSeparated escaping for the admin loader (test data only; IAFA itself never inserts). */
function tsv(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\0/g, '\\0');
}

/**
 * Copies an imported event-log dataset (its store folder) into `db.<name>_local` MergeTree tables,
 * rows alternating between the servers so most users' events are split across shards, and a
 * Distributed table `db.<name>` over both. The columns: user_id String, ts Int64 (epoch ms) and
 * every stored column as String, exactly the values the local engine reads.
 */
export async function loadEventStore(
  cluster: TestCluster,
  storeDir: string,
  db: string,
  name: string,
  userCol = 'user_id',
  timeCol = 'ts',
): Promise<{ rows: number; columns: string[] }> {
  const { users, time, userStart, cols } = storedRows(storeDir);
  const q = (s: string) => '`' + s.replace(/`/g, '\\`') + '`';
  const columnsDdl = [`${q(userCol)} String`, `${q(timeCol)} Int64`, ...cols.map((c) => `${q(c.name)} String`)].join(', ');
  const parts: string[][] = cluster.servers.map(() => []);
  let row = 0;
  for (let u = 0; u + 1 < userStart.length; u++) {
    for (let j = userStart[u]; j < userStart[u + 1]; j++) {
      const line = [tsv(users[u]), String(Math.round(time[j])), ...cols.map((c) => tsv(c.dict[c.codes[j]] ?? ''))].join('\t');
      parts[row++ % parts.length].push(line);
    }
  }
  for (let i = 0; i < cluster.servers.length; i++) {
    await cluster.admin(`CREATE DATABASE IF NOT EXISTS ${q(db)}`, i);
    await cluster.admin(`CREATE TABLE ${q(db)}.${q(name + '_local')} (${columnsDdl}) ENGINE = MergeTree() ORDER BY (${q(userCol)}, ${q(timeCol)})`, i);
    await cluster.admin(
      `CREATE TABLE ${q(db)}.${q(name)} AS ${q(db)}.${q(name + '_local')} ENGINE = Distributed(iafa_test, ${q(db)}, ${q(name + '_local')}, rand())`,
      i,
    );
    const chunk = 200_000;
    for (let k = 0; k < parts[i].length; k += chunk)
      await cluster.admin(`INSERT INTO ${q(db)}.${q(name + '_local')} FORMAT TabSeparated`, i, parts[i].slice(k, k + chunk).join('\n') + '\n');
  }
  return { rows: row, columns: [userCol, timeCol, ...cols.map((c) => c.name)] };
}

/**
 * A CSV user table (one row per unit) into `db.<name>_local` on each server (rows alternating)
 * and a Distributed `db.<name>`: every column a String holding the cell's text, as the local
 * reader sees it (empty = '').
 */
export async function loadCsvTable(
  cluster: TestCluster,
  columns: Record<string, readonly (string | number | boolean | null)[]>,
  db: string,
  name: string,
): Promise<number> {
  const q = (s: string) => '`' + s.replace(/`/g, '\\`') + '`';
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const parts: string[][] = cluster.servers.map(() => []);
  for (let r = 0; r < n; r++) parts[r % parts.length].push(names.map((c) => tsv(String(columns[c][r] ?? ''))).join('\t'));
  for (let i = 0; i < cluster.servers.length; i++) {
    await cluster.admin(`CREATE DATABASE IF NOT EXISTS ${q(db)}`, i);
    await cluster.admin(
      `CREATE TABLE ${q(db)}.${q(name + '_local')} (${names.map((c) => `${q(c)} String`).join(', ')}) ENGINE = MergeTree() ORDER BY tuple()`,
      i,
    );
    await cluster.admin(
      `CREATE TABLE ${q(db)}.${q(name)} AS ${q(db)}.${q(name + '_local')} ENGINE = Distributed(iafa_test, ${q(db)}, ${q(name + '_local')}, rand())`,
      i,
    );
    await cluster.admin(`INSERT INTO ${q(db)}.${q(name + '_local')} FORMAT TabSeparated`, i, parts[i].join('\n') + '\n');
  }
  return n;
}
