import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";

/**
 * A rule for one field, as a valibot schema whose messages name the field
 * (`throttle.burstLimit must be a positive integer`). The stack config and the components' arg
 * checks use the same rules, so the two can never disagree.
 */
export type ArgRule<T> = v.GenericSchema<T>;

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
  input<T>(value: pulumi.Input<T>, rule: ArgRule<T>): pulumi.Output<T> {
    if (!pulumi.Output.isInstance(value) && !(value instanceof Promise)) {
      this.value(value as T, rule);
    }
    return (pulumi.output(value) as pulumi.Output<T>).apply((resolved) => this.value(resolved, rule));
  }

  /** Checks a value that shapes the resource graph and so is never an `Output`. */
  value<T>(value: T, rule: ArgRule<T>): T {
    const result = v.safeParse(rule, value);
    if (!result.success) {
      this.fail(result.issues[0].message);
    }
    return value;
  }

  /** Fails with `problem`, which names the field. */
  fail(problem: string): never {
    throw new pulumi.RunError(`${this.owner}: ${problem}`);
  }
}

/** `field` must be a whole number of at least 1. */
export function positiveInteger(field: string) {
  const message = `${field} must be a positive integer`;
  return v.pipe(v.number(`${field} must be a number`), v.integer(message), v.minValue(1, message));
}

/** `field` must be a whole number from `min` to `max`. */
export function integerBetween(field: string, min: number, max: number) {
  const message = `${field} must be an integer from ${min} to ${max}`;
  return v.pipe(
    v.number(`${field} must be a number`),
    v.integer(message),
    v.minValue(min, message),
    v.maxValue(max, message),
  );
}

/** `field` must be one of `allowed`. */
export function oneOf<const T extends readonly number[]>(field: string, allowed: T) {
  return v.picklist(allowed, `${field} must be one of ${allowed.join(", ")}`);
}

/** `field` must list at least one item. */
export function nonEmpty<T>(field: string, item: v.GenericSchema<T>) {
  return v.pipe(v.array(item, `${field} must be a list`), v.minLength(1, `${field} must not be empty`));
}

/**
 * `field` must be a Pulumi stack name (letters, digits, `-`, `_`, `.`), which also makes
 * `OMS/<stack>` a valid CloudWatch namespace.
 */
export function stackName(field: string) {
  return v.pipe(
    v.string(`${field} must be a string`),
    v.regex(
      /^[A-Za-z0-9_.-]{1,100}$/,
      `${field} must be a stack name of 1 to 100 letters, digits, hyphens, underscores and periods`,
    ),
  );
}

/** `field` must be an e-mail address. */
export function emailAddress(field: string) {
  const message = `${field} must be an e-mail address`;
  return v.pipe(v.string(message), v.email(message));
}
