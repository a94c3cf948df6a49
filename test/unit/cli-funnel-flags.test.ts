import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/framework';
import { funnel } from '../../src/cli/commands/funnel';
import { funnelFromArgs } from '../../src/cli/funnel-flags';

/** What `iafa funnel` does with its arguments: parseArgs once, then the funnel flags into a definition. */
function parseFunnelArgs(argv: string[]) {
  const { positionals, values } = parseCommandArgs(funnel, argv);
  return { ...funnelFromArgs(positionals, values), json: values.json === true };
}

describe('iafa funnel arguments', () => {
  it('parses every flag into a definition', () => {
    const a = parseFunnelArgs([
      'data.csv',
      '--steps',
      'pin_view,save[surface=Home|Search],click',
      '--window',
      '24h',
      '--mode',
      'first-touch',
      '--strict',
      '--by',
      'user_intent',
      '--where',
      'platform=iOS,Web',
      '--where',
      'user_tenure!=New',
      '--from',
      '2026-01-01',
      '--to=2026-01-31',
      '--tz',
      'Europe/Paris',
      '--user-col',
      'uid',
      '--time-col',
      'ts',
      '--event-col',
      'ev',
      '--json',
    ]);
    expect(a.source).toBe('data.csv');
    expect(a.json).toBe(true);
    expect(a.mapping).toEqual({ user: 'uid', time: 'ts', event: 'ev' });
    expect(a.definition).toEqual({
      steps: [{ event: 'pin_view' }, { event: 'save', where: { column: 'surface', values: ['Home', 'Search'] } }, { event: 'click' }],
      window: '24h',
      mode: 'first-touch',
      strict: true,
      breakdown: 'user_intent',
      include: { platform: ['iOS', 'Web'] },
      exclude: { user_tenure: ['New'] },
      from: '2026-01-01',
      to: '2026-01-31',
      tz: 'Europe/Paris',
    });
  });

  it('defaults to a 7-day any-start funnel in UTC', () => {
    const a = parseFunnelArgs(['sample', '--steps', 'a,b']);
    expect(a.definition).toMatchObject({ window: '7d', mode: 'any-start', strict: false, tz: 'UTC', include: {}, exclude: {} });
    expect(parseFunnelArgs(['x', '--steps', 'a,b', '--where', 'c=!v1,v2']).definition.exclude).toEqual({ c: ['v1', 'v2'] });
  });

  it('rejects bad input with a message', () => {
    expect(() => parseFunnelArgs(['x'])).toThrow(/--steps is required/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a'])).toThrow(/steps/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a,b', '--window', '3 days'])).toThrow(/window/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a,b', '--mode', 'greedy'])).toThrow(/mode/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a,b', '--where', 'nocolumn'])).toThrow(/--where/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a,b', '--bogus'])).toThrow(/Unknown option/);
    expect(() => parseFunnelArgs(['--steps', 'a,b'])).toThrow(/Usage/);
  });

  it('parses steps of several events and conditions, and the mode flags', () => {
    const a = parseFunnelArgs([
      'x',
      '--steps',
      'view|view_m[platform=ios|android,country=de],cart,pay[method=card,wallet]',
      '--strict-order',
      '--allow-reentry',
      '--strict-deduplication',
      '--strict-once',
    ]);
    expect(a.definition.steps).toEqual([
      {
        event: 'view',
        orEvents: ['view_m'],
        where: [
          { column: 'platform', values: ['ios', 'android'] },
          { column: 'country', values: ['de'] },
        ],
      },
      { event: 'cart' },
      // A comma part without "=" adds a value to the condition before it (the older syntax).
      { event: 'pay', where: { column: 'method', values: ['card', 'wallet'] } },
    ]);
    expect(a.definition).toMatchObject({ strictOrder: true, allowReentry: true, strictDeduplication: true, strictOnce: true, strict: false });
    expect(parseFunnelArgs(['x', '--steps', 'a,b']).definition).not.toHaveProperty('strictOrder');
  });

  it('rejects malformed steps and mode combinations ClickHouse refuses', () => {
    expect(() => parseFunnelArgs(['x', '--steps', 'a[=v],b'])).toThrow(/column=v1/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a[col=],b'])).toThrow(/no value/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a[col=v,b'])).toThrow(/step/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a,b', '--allow-reentry'])).toThrow(/strict-order/);
    expect(() => parseFunnelArgs(['x', '--steps', 'a,b', '--mode', 'unordered', '--strict-once'])).toThrow(/any-start/);
  });
});
