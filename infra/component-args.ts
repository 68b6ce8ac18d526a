import * as pulumi from "@pulumi/pulumi";

/** Says what is wrong with an arg (`throttle.burstLimit must be a positive integer`), or nothing when it is fine. */
export type ArgCheck<T> = (value: T) => string | undefined;

/**
 * Checks the args of one component instance. Every failure names the instance and the field, like
 * `OrdersApi "oms": throttle.burstLimit must be a positive integer`, so that a bad stack fails at
 * preview with a message that says where to look.
 */
export class ArgsChecker {
  private readonly owner: string;

  /** `type` is the component's type token; its last segment is the class name people know. */
  constructor(type: string, name: string) {
    this.owner = `${type.slice(type.lastIndexOf(":") + 1)} "${name}"`;
  }

  /** Checks a plain value now, before anything is registered, and an `Output` or promise once it resolves. */
  input<T>(value: pulumi.Input<T>, check: ArgCheck<T>): pulumi.Output<T> {
    if (!pulumi.Output.isInstance(value) && !(value instanceof Promise)) {
      this.value(value as T, check);
    }
    return (pulumi.output(value) as pulumi.Output<T>).apply((resolved) => this.value(resolved, check));
  }

  /** Checks a value that shapes the resource graph and so is never an `Output`. */
  value<T>(value: T, check: ArgCheck<T>): T {
    const problem = check(value);
    if (problem !== undefined) {
      this.fail(problem);
    }
    return value;
  }

  /** Fails with `problem`, which names the field. */
  fail(problem: string): never {
    throw new pulumi.RunError(`${this.owner}: ${problem}`);
  }
}

/** `field` must be a whole number from `min` to `max`. */
export function integerBetween(field: string, min: number, max: number): ArgCheck<number> {
  return (value) =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `${field} must be an integer from ${min} to ${max}`;
}

/** `field` must be a whole number of at least 1. */
export function positiveInteger(field: string): ArgCheck<number> {
  return (value) => (Number.isInteger(value) && value >= 1 ? undefined : `${field} must be a positive integer`);
}

/** `field` must be one of `allowed`. */
export function oneOf(field: string, allowed: readonly number[]): ArgCheck<number> {
  return (value) => (allowed.includes(value) ? undefined : `${field} must be one of ${allowed.join(", ")}`);
}

/** `field` must list at least one item. */
export function nonEmpty<T>(field: string): ArgCheck<readonly T[]> {
  return (value) => (value.length > 0 ? undefined : `${field} must not be empty`);
}

/**
 * `field` must be a Pulumi stack name (letters, digits, `-`, `_`, `.`), which also makes
 * `OMS/<stack>` a valid CloudWatch namespace.
 */
export function stackName(field: string): ArgCheck<string> {
  return (value) =>
    /^[A-Za-z0-9_.-]{1,100}$/.test(value)
      ? undefined
      : `${field} must be a stack name of 1 to 100 letters, digits, hyphens, underscores and periods`;
}
