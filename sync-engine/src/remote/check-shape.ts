/**
 * A small checker for the subset of JSON Schema the protocol's schemas use (protocol/
 * wire-schemas.ts and the response schemas here), so that the engine never acts on a field a
 * broken or hostile server left out or mistyped. Unknown properties are allowed (a newer server
 * may add fields). One extra keyword, `format: 'remote-path'`, runs `parsePath`: a path the
 * engine would map to a local file must obey the path rules (no `..`, no control characters)
 * and already be NFC, whatever the server sends.
 */
import { parsePath } from '../protocol/index.js';

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** The schema keywords checked; others (descriptions, defaults) are ignored. */
export interface Shape {
  readonly type?: JsonType | readonly JsonType[];
  readonly properties?: { readonly [name: string]: Shape };
  readonly required?: readonly string[];
  readonly items?: Shape;
  readonly maxItems?: number;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly anyOf?: readonly Shape[];
  readonly format?: 'remote-path';
}

function typeOf(value: unknown): JsonType | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      if (!Number.isFinite(value)) return 'other';
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'object':
      return 'object';
    default:
      return 'other';
  }
}

function hasType(value: unknown, type: Shape['type']): boolean {
  if (type === undefined) return true;
  const actual = typeOf(value);
  const allowed: readonly JsonType[] = typeof type === 'string' ? [type] : type;
  return allowed.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/** Checks the keywords that apply to scalars; returns a problem or undefined. */
function checkScalar(
  shape: Shape,
  value: unknown,
  regexps: Map<string, RegExp>,
): string | undefined {
  if (shape.enum !== undefined && !shape.enum.includes(value)) return 'not an allowed value';
  if (typeof value === 'string') {
    if (shape.minLength !== undefined && value.length < shape.minLength) return 'too short';
    if (shape.maxLength !== undefined && value.length > shape.maxLength) return 'too long';
    if (shape.pattern !== undefined) {
      let regexp = regexps.get(shape.pattern);
      if (regexp === undefined) regexps.set(shape.pattern, (regexp = new RegExp(shape.pattern)));
      if (!regexp.test(value)) return 'does not match its pattern';
    }
    if (shape.format === 'remote-path') {
      const parsed = parsePath(value);
      if (!parsed.ok) return parsed.message;
      if (parsed.path !== value) return 'path is not NFC';
    }
  }
  if (typeof value === 'number') {
    if (shape.minimum !== undefined && value < shape.minimum) return 'below its minimum';
    if (shape.maximum !== undefined && value > shape.maximum) return 'above its maximum';
  }
  return undefined;
}

function check(
  shape: Shape,
  value: unknown,
  where: string,
  regexps: Map<string, RegExp>,
): string | undefined {
  if (shape.anyOf !== undefined) {
    const problems = shape.anyOf.map((option) => check(option, value, where, regexps));
    if (problems.every((p) => p !== undefined)) return problems[0];
  }
  if (!hasType(value, shape.type)) return `${where}: expected ${String(shape.type)}`;
  const scalar = checkScalar(shape, value, regexps);
  if (scalar !== undefined) return `${where}: ${scalar}`;
  if (Array.isArray(value)) {
    if (shape.maxItems !== undefined && value.length > shape.maxItems) return `${where}: too long`;
    if (shape.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const problem = check(shape.items, value[i], `${where}[${i}]`, regexps);
        if (problem !== undefined) return problem;
      }
    }
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const name of shape.required ?? []) {
      if (!Object.hasOwn(record, name)) return `${where}.${name}: missing`;
    }
    for (const [name, inner] of Object.entries(shape.properties ?? {})) {
      if (!Object.hasOwn(record, name)) continue;
      const problem = check(inner, record[name], `${where}.${name}`, regexps);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/**
 * The first way `value` breaks `shape`, as `$.entries[3].path: expected string`, or undefined
 * when it fits. Never throws; never looks at prototype properties.
 */
export function findShapeProblem(shape: Shape, value: unknown): string | undefined {
  return check(shape, value, '$', new Map());
}
