/** `iafa hypotheses` shares its flag handling with `iafa insights`; see ./insights. */
export { hypotheses } from './insights';
