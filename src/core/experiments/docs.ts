/** The decision rule as users read it (same order as decide() in decision.ts and docs/statistics.md). */
export function decisionRuleText(): string[] {
  return [
    '1. The primary metric could not be tested (empty arm, too few units, no variance) → ITERATE',
    '2. Sample ratio mismatch (p < 0.001) → do not ship, investigate → ITERATE',
    '3. Any guardrail failed its non-inferiority margin → ROLLBACK',
    '4. The primary metric is significantly worse → ROLLBACK',
    '5. The primary metric is significantly better but a guardrail is inconclusive → ITERATE',
    '6. The primary metric is significantly better and every guardrail passed → SHIP',
    '7. Otherwise (flat or underpowered) → ITERATE',
  ];
}
