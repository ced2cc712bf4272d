/**
 * EventBridge rules with a ScheduleExpression: `rate()` or `cron()` evaluated in UTC (rules have no time
 * zone) by the scheduler's expression evaluator, one timer per scheduled rule on the shared clock.
 *
 * A rate counts from the moment the rule got its expression, so the first event comes one interval after
 * PutRule. A clock jump over several occurrences fires the rule once, then it continues from the present,
 * as the scheduler does. A restart also continues from the present: occurrences that fell while the local
 * cloud was stopped are not replayed (AWS is never stopped, so nothing there says how many it would owe).
 */
import type { Clock, TimerHandle } from '../clock';
import { validationError } from '../edge/contracts';
import {
  nextFireTime,
  type ParsedExpression,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../scheduler/expressions';

const INVALID = 'Parameter ScheduleExpression is not valid.';
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

/**
 * Parses a rule's expression with EventBridge's stricter rules than Scheduler's: no at(), and a rate of 1
 * takes a singular unit while any other value takes a plural one.
 */
export function parseRuleSchedule(expression: string): ParsedExpression {
  if (expression.startsWith('rate(')) {
    const [, value, unit = ''] = RATE.exec(expression) ?? [];
    if (value === undefined || (Number(value) === 1) === unit.endsWith('s')) throw validationError(INVALID);
  } else if (!expression.startsWith('cron(')) {
    throw validationError(INVALID);
  }
  try {
    return parseScheduleExpression(expression);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validationError(INVALID);
    throw error;
  }
}

interface ScheduledRule {
  readonly expression: ParsedExpression;
  /** Epoch ms rate() intervals are counted from. */
  readonly anchor: number;
  timer?: TimerHandle;
}

export class RuleSchedules {
  private readonly rules = new Map<string, ScheduledRule>();

  constructor(
    private readonly clock: Clock,
    /** Called for each occurrence (epoch ms) of the rule with this ARN. */
    private readonly fire: (ruleArn: string, occurrence: number) => void,
  ) {}

  /** Starts (or restarts) firing the rule. */
  set(ruleArn: string, expression: string, anchor: number): void {
    this.delete(ruleArn);
    const rule: ScheduledRule = { expression: parseRuleSchedule(expression), anchor };
    this.rules.set(ruleArn, rule);
    this.arm(ruleArn, rule, this.clock.now());
  }

  delete(ruleArn: string): void {
    this.clock.cancel(this.rules.get(ruleArn)?.timer);
    this.rules.delete(ruleArn);
  }

  dispose(): void {
    for (const ruleArn of [...this.rules.keys()]) this.delete(ruleArn);
  }

  private arm(ruleArn: string, rule: ScheduledRule, after: number): void {
    const next = nextFireTime(rule.expression, 'UTC', after, { rateAnchor: rule.anchor });
    if (next === undefined) return;
    rule.timer = this.clock.at(next, () => {
      if (this.rules.get(ruleArn) !== rule) return;
      this.fire(ruleArn, next);
      this.arm(ruleArn, rule, Math.max(next, this.clock.now()));
    });
  }
}
