/**
 * @module
 * The insights `filtering` parameter: `[{field, operator, value}]`. Object attributes
 * (`campaign|adset|ad` `.id`, `.effective_status`, `.name`, `.objective`) select the ads that are
 * aggregated; metric fields (`*.impressions`, `*.spend`, `*.clicks`, `*.reach`,
 * `*.inline_link_clicks`) are compared with each result row.
 */
import type { AdModel } from '../world/build-world.ts';

export const FILTER_OPERATORS = [
  'EQUAL',
  'NOT_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'IN_RANGE',
  'NOT_IN_RANGE',
  'CONTAIN',
  'NOT_CONTAIN',
  'IN',
  'NOT_IN',
  'STARTS_WITH',
  'ENDS_WITH',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number];

const ENTITY_ATTRIBUTES = ['id', 'effective_status', 'name', 'objective'] as const;
export const METRIC_ATTRIBUTES = ['impressions', 'spend', 'clicks', 'reach', 'inline_link_clicks'] as const;

export type EntityName = 'campaign' | 'adset' | 'ad';
export type MetricAttribute = (typeof METRIC_ATTRIBUTES)[number];

export interface EntityFilter {
  kind: 'entity';
  entity: EntityName;
  attribute: (typeof ENTITY_ATTRIBUTES)[number];
  operator: FilterOperator;
  value: unknown;
}

export interface MetricFilter {
  kind: 'metric';
  attribute: MetricAttribute;
  operator: FilterOperator;
  value: unknown;
}

export type InsightsFilter = EntityFilter | MetricFilter;

/** Parses `filtering`; returns an error message for invalid input. */
export function parseFiltering(raw: unknown): InsightsFilter[] | string {
  if (!Array.isArray(raw)) return 'filtering must be a JSON list of {field, operator, value} objects';
  const filters: InsightsFilter[] = [];
  for (const item of raw) {
    if (item === null || typeof item !== 'object')
      return 'filtering must be a JSON list of {field, operator, value} objects';
    const { field, operator, value } = item as Record<string, unknown>;
    if (typeof field !== 'string') return 'filtering: each filter needs a field';
    if (typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator)) {
      return `Filtering operator ${String(operator)} is invalid for field ${field}. Valid operators: ${FILTER_OPERATORS.join(', ')}`;
    }
    const op = operator as FilterOperator;
    const [entity, attribute, extra] = field.split('.');
    if (
      extra !== undefined ||
      (entity !== 'campaign' && entity !== 'adset' && entity !== 'ad') ||
      !attribute
    ) {
      return `Filtering field ${field} is invalid`;
    }
    if ((ENTITY_ATTRIBUTES as readonly string[]).includes(attribute)) {
      filters.push({
        kind: 'entity',
        entity,
        attribute: attribute as EntityFilter['attribute'],
        operator: op,
        value,
      });
    } else if ((METRIC_ATTRIBUTES as readonly string[]).includes(attribute)) {
      filters.push({ kind: 'metric', attribute: attribute as MetricAttribute, operator: op, value });
    } else {
      return `Filtering field ${field} is invalid`;
    }
    if ((op === 'IN' || op === 'NOT_IN') && !Array.isArray(value))
      return `Filtering value for ${field} ${op} must be a list`;
    if ((op === 'IN_RANGE' || op === 'NOT_IN_RANGE') && !(Array.isArray(value) && value.length === 2)) {
      return `Filtering value for ${field} ${op} must be a list of two numbers`;
    }
  }
  return filters;
}

/** Applies an operator to a string or number. */
export function matches(actual: string | number, operator: FilterOperator, expected: unknown): boolean {
  const asNumber = (v: unknown) => (typeof v === 'number' ? v : Number(v));
  const text = String(actual);
  switch (operator) {
    case 'EQUAL':
      return typeof actual === 'number' ? actual === asNumber(expected) : text === String(expected);
    case 'NOT_EQUAL':
      return typeof actual === 'number' ? actual !== asNumber(expected) : text !== String(expected);
    case 'GREATER_THAN':
      return asNumber(actual) > asNumber(expected);
    case 'GREATER_THAN_OR_EQUAL':
      return asNumber(actual) >= asNumber(expected);
    case 'LESS_THAN':
      return asNumber(actual) < asNumber(expected);
    case 'LESS_THAN_OR_EQUAL':
      return asNumber(actual) <= asNumber(expected);
    case 'IN_RANGE':
    case 'NOT_IN_RANGE': {
      const [low, high] = Array.isArray(expected) ? expected : [];
      const inside = asNumber(actual) >= asNumber(low) && asNumber(actual) <= asNumber(high);
      return operator === 'IN_RANGE' ? inside : !inside;
    }
    case 'IN':
    case 'NOT_IN': {
      const list = Array.isArray(expected) ? expected.map(String) : [];
      return operator === 'IN' ? list.includes(text) : !list.includes(text);
    }
    case 'CONTAIN':
      return text.toLowerCase().includes(String(expected).toLowerCase());
    case 'NOT_CONTAIN':
      return !text.toLowerCase().includes(String(expected).toLowerCase());
    case 'STARTS_WITH':
      return text.toLowerCase().startsWith(String(expected).toLowerCase());
    case 'ENDS_WITH':
      return text.toLowerCase().endsWith(String(expected).toLowerCase());
  }
}

function entityOf(ad: AdModel, entity: EntityName) {
  return entity === 'campaign' ? ad.campaign : entity === 'adset' ? ad.adset : ad;
}

/** Whether an ad passes every object-attribute filter. */
export function adPasses(ad: AdModel, filters: readonly InsightsFilter[]): boolean {
  for (const filter of filters) {
    if (filter.kind !== 'entity') continue;
    const target = entityOf(ad, filter.entity);
    const actual =
      filter.attribute === 'id'
        ? target.id
        : filter.attribute === 'effective_status'
          ? target.effectiveStatus
          : filter.attribute === 'name'
            ? target.name
            : ad.campaign.objective;
    if (!matches(actual, filter.operator, filter.value)) return false;
  }
  return true;
}
