import type { Route } from "../api/routes";

/** A route that matched a request, and the path parameters its template captured. */
export interface RouteMatch<R> {
  readonly route: R;
  readonly pathParameters: Readonly<Record<string, string>>;
}

type Segment =
  | { readonly kind: "static"; readonly text: string }
  | { readonly kind: "parameter"; readonly name: string }
  | { readonly kind: "greedy"; readonly name: string };

/** How specific a segment kind is: API Gateway prefers static text, then `{name}`, then `{name+}`. */
const SPECIFICITY: Record<Segment["kind"], number> = { static: 2, parameter: 1, greedy: 0 };

function parseTemplate(path: string): Segment[] {
  return path
    .split("/")
    .slice(1)
    .map((part): Segment => {
      const parameter = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(part);
      if (!parameter) return { kind: "static", text: part };
      const name = parameter[1] as string;
      return parameter[2] === "+" ? { kind: "greedy", name } : { kind: "parameter", name };
    });
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function capture(template: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [i, segment] of template.entries()) {
    if (segment.kind === "greedy") {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join("/") === "") return undefined;
      parameters[segment.name] = decode(rest.join("/"));
      return parameters;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === "static") {
      if (part !== segment.text) return undefined;
    } else {
      if (part === "") return undefined;
      parameters[segment.name] = decode(part);
    }
  }
  return template.length === parts.length ? parameters : undefined;
}

function moreSpecific(a: readonly Segment[], b: readonly Segment[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = SPECIFICITY[(a[i] as Segment).kind] - SPECIFICITY[(b[i] as Segment).kind];
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * Finds the route API Gateway would pick for `method` and `rawPath` (percent-encoded, without the
 * query string): the method must be the route's, and among templates that fit, the most specific
 * wins. Path parameters arrive decoded, as in the cloud's events.
 */
export function matchRoute<R extends Pick<Route, "method" | "path">>(
  routes: readonly R[],
  method: string,
  rawPath: string,
): RouteMatch<R> | undefined {
  const parts = rawPath.split("/").slice(1);
  let best: { route: R; template: Segment[]; pathParameters: Record<string, string> } | undefined;
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const template = parseTemplate(route.path);
    const pathParameters = capture(template, parts);
    if (pathParameters && (!best || moreSpecific(template, best.template) > 0)) {
      best = { route, template, pathParameters };
    }
  }
  return best && { route: best.route, pathParameters: best.pathParameters };
}
