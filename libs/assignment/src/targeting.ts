import { type Static, Type } from '@sinclair/typebox';
import { SafeString } from '@ledger/events';
import { type StatsigUser } from './statsig-user';

export const TARGETING_OPERATORS = [
  'any',
  'none',
  'str_contains_any',
  'str_contains_none',
  'gt',
  'gte',
  'lt',
  'lte',
  'version_gt',
  'version_gte',
  'version_lt',
  'version_lte',
  'version_eq',
  'before',
  'after',
  'is_null',
  'is_not_null',
] as const;
export type TargetingOperator = (typeof TARGETING_OPERATORS)[number];

export const USER_FIELDS = ['userID', 'email', 'ip', 'userAgent', 'country', 'locale', 'appVersion'] as const;
/** A user field, or an attribute under custom., customIDs. or privateAttributes. */
export const TARGETING_FIELD_PATTERN = `^(${USER_FIELDS.join('|')}|(custom|customIDs|privateAttributes)\\.[^.\\u0000-\\u001f\\ud800-\\udfff]{1,200})$`;

export const TargetingConditionSchema = Type.Object(
  {
    field: Type.String({ pattern: TARGETING_FIELD_PATTERN }),
    operator: Type.Union(TARGETING_OPERATORS.map((operator) => Type.Literal(operator))),
    values: Type.Array(Type.Union([SafeString({ maxLength: 1000 }), Type.Number()]), { default: [], maxItems: 1000 }),
  },
  { additionalProperties: false },
);
export type TargetingCondition = Static<typeof TargetingConditionSchema>;

export type TargetingOutcome = { passed: true } | { passed: false; failedCondition: number; condition: TargetingCondition };

/** All conditions must pass; the outcome names the first that did not, for the audit trail. */
export function evaluateTargeting(conditions: readonly TargetingCondition[], user: StatsigUser): TargetingOutcome {
  for (const [index, condition] of conditions.entries()) {
    if (!conditionHolds(condition, fieldValue(user, condition.field))) return { passed: false, failedCondition: index, condition };
  }
  return { passed: true };
}

function fieldValue(user: StatsigUser, field: string): unknown {
  const dot = field.indexOf('.');
  if (dot < 0) return user[field as (typeof USER_FIELDS)[number]];
  const bag = user[field.slice(0, dot) as 'custom' | 'customIDs' | 'privateAttributes'] as Record<string, unknown> | undefined;
  return bag?.[field.slice(dot + 1)];
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null || value === '';
const lower = (value: unknown): string => String(value).toLowerCase();

function conditionHolds({ operator, values }: TargetingCondition, value: unknown): boolean {
  switch (operator) {
    case 'is_null':
      return isAbsent(value);
    case 'is_not_null':
      return !isAbsent(value);
    case 'any':
      return !isAbsent(value) && values.some((candidate) => lower(candidate) === lower(value));
    case 'none':
      return isAbsent(value) || !values.some((candidate) => lower(candidate) === lower(value));
    case 'str_contains_any':
      return !isAbsent(value) && values.some((candidate) => lower(value).includes(lower(candidate)));
    case 'str_contains_none':
      return isAbsent(value) || !values.some((candidate) => lower(value).includes(lower(candidate)));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compareAny(values, value, toNumber, operator);
    case 'version_gt':
    case 'version_gte':
    case 'version_lt':
    case 'version_lte':
    case 'version_eq':
      return compareAny(values, value, toVersion, operator.slice('version_'.length) as Comparison);
    case 'before':
      return compareAny(values, value, toTime, 'lt');
    case 'after':
      return compareAny(values, value, toTime, 'gt');
  }
}

type Comparison = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';

/** True when the user's value stands in `comparison` to any listed value; unparseable values never match. */
function compareAny<T>(values: readonly unknown[], value: unknown, parse: (raw: unknown) => T | undefined, comparison: Comparison): boolean {
  const own = parse(value);
  if (own === undefined) return false;
  return values.some((candidate) => {
    const other = parse(candidate);
    if (other === undefined) return false;
    const order = compare(own, other);
    return comparison === 'gt' ? order > 0 : comparison === 'gte' ? order >= 0 : comparison === 'lt' ? order < 0 : comparison === 'lte' ? order <= 0 : order === 0;
  });
}

function compare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const difference = (a[i] ?? 0) - (b[i] ?? 0);
      if (difference !== 0) return Math.sign(difference);
    }
    return 0;
  }
  return Math.sign((a as number) - (b as number));
}

function toNumber(raw: unknown): number | undefined {
  if (isAbsent(raw) || typeof raw === 'boolean') return undefined;
  const number = Number(raw);
  return Number.isFinite(number) ? number : undefined;
}

/** "1.2.10" -> [1, 2, 10]; a pre-release or build suffix ("-beta", "+5") is ignored. */
function toVersion(raw: unknown): number[] | undefined {
  if (isAbsent(raw)) return undefined;
  const core = String(raw).trim().split(/[-+]/)[0]!;
  if (!/^\d+(\.\d+)*$/.test(core)) return undefined;
  return core.split('.').map(Number);
}

/** Epoch milliseconds or an ISO-8601 time. */
function toTime(raw: unknown): number | undefined {
  if (isAbsent(raw)) return undefined;
  if (typeof raw === 'number' || /^\d+$/.test(String(raw))) return Number(raw);
  const parsed = Date.parse(String(raw));
  return Number.isNaN(parsed) ? undefined : parsed;
}
