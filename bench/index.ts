import { run as ask } from './ask';
import { run as clickhouse } from './clickhouse';
import { run as exportsBench } from './exports';
import { run as funnel } from './funnel';
import { run as llm } from './llm';
import { run as scale } from './scale';
import { run as serve } from './serve';

// `npm run bench`: each suite prints its own figures. BENCH_ONLY=funnel (or exports, llm, ask, clickhouse, serve, scale) runs one suite.
const only = process.env.BENCH_ONLY;
if (!only || only === 'funnel') await funnel();
if (!only || only === 'exports') await exportsBench();
if (!only || only === 'llm') await llm();
if (!only || only === 'ask') await ask();
if (!only || only === 'clickhouse') await clickhouse();
if (!only || only === 'serve') await serve();
if (!only || only === 'scale') await scale();
