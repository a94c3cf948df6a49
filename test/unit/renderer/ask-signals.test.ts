import { describe, expect, it } from 'vitest';
import { numbersSignal, questionSignal, signalLine, signalsOf } from '../../../src/renderer/src/workspaces/ask/signals';
import { turnsFromMessages } from '../../../src/renderer/src/workspaces/ask/turns';
import type { AskSignals } from '../../../src/shared/contract';

const base: AskSignals = { numbers: 'match', question: 'answered', kind: 'drop_off', missing: [], note: null };

describe('Ask answer signals (numbers and fit, shown apart)', () => {
  it('labels each signal on its own: facts can match while the answer is only the closest facts', () => {
    const s = { ...base, question: 'closest_facts' as const, note: 'The question was not recognised.' };
    expect(numbersSignal(s)).toMatchObject({ tone: 'good', label: 'numbers match computed facts' });
    expect(questionSignal(s)).toMatchObject({ tone: 'warn', label: 'closest facts', title: 'The question was not recognised.' });
    expect(signalLine(s)).toBe('numbers match computed facts · closest facts');
    expect(signalLine({ ...base, numbers: 'none', question: 'not_in_data' })).toBe('no figures quoted · not in the data');
  });

  it('an answer stored before the signals existed never claims to answer its question', () => {
    const legacy = signalsOf({ grounding: { checked: 2, passed: true, fallback_fields: [], ungrounded: [] } });
    expect(legacy).toMatchObject({ numbers: 'match', question: 'closest_facts' });
    const turns = turnsFromMessages('conv_1', [
      { id: 'm1', role: 'user', content: 'Which stage loses the most users?', payload: {}, created_at: '2026-01-01T00:00:00Z' },
      {
        id: 'm2',
        role: 'assistant',
        content: 'Users reaching pv: 812.',
        payload: { grounding: { checked: 1, passed: true, fallback_fields: [], ungrounded: [] } },
        created_at: '2026-01-01T00:00:01Z',
      },
    ]);
    expect(turns[0].answer?.signals.question).toBe('closest_facts');
  });
});
