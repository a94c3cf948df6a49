import { run as clickhouse } from './clickhouse';
import { run as funnel } from './funnel';
import { run as llm } from './llm';

// `npm run bench`: each suite prints its own figures. BENCH_ONLY=funnel (or llm, clickhouse) runs one suite.
const only = process.env.BENCH_ONLY;
if (!only || only === 'funnel') await funnel();
if (!only || only === 'llm') await llm();
if (!only || only === 'clickhouse') await clickhouse();
