import { getMetadataStorage } from 'class-validator';
import {
  declaredType,
  reshapesProperties,
  transformsProperty,
} from './class-transformer-internals';
import { IS_OMITTABLE } from './validation-rules';

/**
 * A fast path for request bodies that are valid: the DTO's class-validator rules, read once and
 * checked as plain functions, instead of class-transformer and class-validator's per-request
 * walk of their metadata (about a tenth of the service's CPU on the vending routes).
 *
 * The fast path only ever accepts: a body it does not accept goes to the ValidationPipe, which
 * builds the errors (400 naming each field) exactly as before. It accepts only what that pipe
 * would accept, and answers the instance the pipe would build (validation-fast-path.spec.ts
 * compares the two on generated bodies). A DTO with any rule or transformation the fast path
 * does not know (a conditional rule, `each`, groups, `@Transform`, `@Expose`, arrays of nested
 * objects, ...) has no fast path at all.
 */
export type FastPath<T> = (body: unknown) => T | undefined;

type Check = (value: unknown) => boolean;
type Constructor = new () => object;

interface PropertyPlan {
  readonly name: string;
  /** Which absent values skip the checks: none, only `undefined` (IsOmittable), or also `null`. */
  readonly optional: false | 'undefined' | 'nullish';
  readonly checks: readonly Check[];
  readonly nested?: ClassPlan;
}

interface ClassPlan {
  readonly type: Constructor;
  readonly properties: ReadonlyMap<string, PropertyPlan>;
}

/** What this module reads of a class-validator ValidationMetadata. */
interface RuleMetadata {
  readonly type: string;
  readonly name?: string;
  readonly propertyName: string;
  readonly constraints?: unknown[];
  readonly each?: boolean;
  readonly always?: boolean;
  readonly groups?: string[];
}

/** class-validator's own checks (its `validator` functions), by rule name, for the rules known here. */
const CHECKS: Readonly<Record<string, (constraints: unknown[]) => Check | undefined>> = {
  isString: () => (v) => typeof v === 'string',
  isBoolean: () => (v) => typeof v === 'boolean',
  isObject: () => (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  isInt: () => (v) => typeof v === 'number' && Number.isInteger(v),
  min: ([min]) => (typeof min === 'number' ? (v) => typeof v === 'number' && v >= min : undefined),
  max: ([max]) => (typeof max === 'number' ? (v) => typeof v === 'number' && v <= max : undefined),
  isIn: ([values]) =>
    Array.isArray(values) ? (v) => values.some((allowed) => allowed === v) : undefined,
  matches: ([pattern, modifiers]) =>
    // A global or sticky pattern keeps state between tests; validator.js matches differently.
    pattern instanceof RegExp && modifiers === undefined && !pattern.global && !pattern.sticky
      ? (v) => typeof v === 'string' && pattern.test(v)
      : undefined,
};

/** class-validator's metadata types (its ValidationTypes). */
const CUSTOM = 'customValidation';
const NESTED = 'nestedValidation';
const CONDITIONAL = 'conditionalValidation';
const IS_DEFINED = 'isDefined';

const plans = new Map<Constructor, ClassPlan | null>();

function planOf(type: Constructor, seen: ReadonlySet<Constructor>): ClassPlan | null {
  if (seen.has(type)) return null; // a class nested in itself: left to the pipe
  if (plans.has(type)) return plans.get(type) ?? null;
  const plan = buildPlan(type, new Set([...seen, type]));
  plans.set(type, plan);
  return plan;
}

function buildPlan(type: Constructor, seen: ReadonlySet<Constructor>): ClassPlan | null {
  if (reshapesProperties(type)) return null;
  const rules = getMetadataStorage().getTargetValidationMetadatas(
    type,
    '',
    false,
    false,
  ) as unknown as RuleMetadata[];
  const byProperty = new Map<string, RuleMetadata[]>();
  for (const rule of rules) {
    if (rule.each || rule.always || (rule.groups && rule.groups.length > 0)) return null;
    byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  }
  const properties = new Map<string, PropertyPlan>();
  for (const [name, own] of byProperty) {
    if (transformsProperty(type, name)) return null;
    const property = propertyPlan(type, name, own, seen);
    if (!property) return null;
    properties.set(name, property);
  }
  return { type, properties };
}

function propertyPlan(
  type: Constructor,
  name: string,
  rules: readonly RuleMetadata[],
  seen: ReadonlySet<Constructor>,
): PropertyPlan | null {
  let optional: PropertyPlan['optional'] = false;
  let nested: ClassPlan | undefined;
  const checks: Check[] = [];
  for (const rule of rules) {
    if (rule.type === CONDITIONAL && rule.name === 'isOptional') {
      optional = 'nullish';
    } else if (rule.type === CONDITIONAL && rule.name === IS_OMITTABLE) {
      optional = 'undefined';
    } else if (rule.type === IS_DEFINED) {
      checks.push((v) => v !== undefined && v !== null);
    } else if (rule.type === CUSTOM && rule.name !== undefined && rule.name in CHECKS) {
      const check = CHECKS[rule.name](rule.constraints ?? []);
      if (!check) return null;
      checks.push(check);
    } else if (rule.type === NESTED) {
      const target = declaredType(type, name);
      if (typeof target !== 'function' || target === Array || target === Object) return null;
      nested = planOf(target as Constructor, seen) ?? undefined;
      if (!nested) return null;
    } else {
      return null;
    }
  }
  return { name, optional, checks, nested };
}

/** An object as JSON.parse makes it (of any realm): its prototype is an Object.prototype. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto !== null && Object.getPrototypeOf(proto) === null;
}

/** The instance class-transformer would build from `body`, if every rule passes; else undefined. */
function accept(plan: ClassPlan, body: unknown): object | undefined {
  if (!isPlainObject(body)) return undefined;
  const instance = new plan.type() as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    const property = plan.properties.get(key);
    if (!property) return undefined; // not whitelisted: the pipe names it
    const value = body[key];
    if (property.nested) {
      const inner = accept(property.nested, value); // undefined for null (not a plain object)
      if (!inner) return undefined;
      instance[key] = inner;
    } else if (value === null || typeof value !== 'object') {
      instance[key] = value;
    } else {
      return undefined; // an object or array where no nested class is declared
    }
  }
  for (const property of plan.properties.values()) {
    const value = instance[property.name];
    if (property.optional && value === undefined) continue;
    if (property.optional === 'nullish' && value === null) continue;
    if (property.nested && (value === null || value === undefined)) return undefined;
    for (const check of property.checks) if (!check(value)) return undefined;
  }
  return instance;
}

/** The fast path for a DTO class, or undefined when the class has a rule it does not know. */
export function fastPathFor<T>(type: new () => T): FastPath<T> | undefined {
  const plan = planOf(type as unknown as Constructor, new Set());
  if (!plan) return undefined;
  return (body) => accept(plan, body) as T | undefined;
}
