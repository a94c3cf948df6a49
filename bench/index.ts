import { run as funnel } from './funnel';
import { run as llm } from './llm';

// `npm run bench`: each suite prints its own figures.
await funnel();
await llm();
