import type { Level } from '../../../../shared/contract';
import { Badge } from '../../components/ui';

const TONE: Record<Level, 'bad' | 'warn' | 'muted'> = { High: 'bad', Medium: 'warn', Low: 'muted' };

export function PriorityBadge({ level, suffix = 'priority' }: { level: Level; suffix?: string }) {
  return (
    <span data-testid="priority-badge" data-priority={level}>
      <Badge tone={TONE[level]}>
        {level}
        {suffix ? ` ${suffix}` : ''}
      </Badge>
    </span>
  );
}
