import { type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";

/** What API Gateway's JWT authorizer passes to a function: claims rendered as strings, and scopes. */
export interface JwtAuthorization {
  readonly claims: Readonly<Record<string, string>>;
  readonly scopes: readonly string[] | null;
}

/** The settings of an HTTP API JWT authorizer. */
export interface JwtAuthorizerOptions {
  /** The only issuer accepted (`iss`): the user pool's. */
  readonly issuer: string;
  /** Accepted audiences: an ID token's `aud`, or an access token's `client_id`. */
  readonly audience: readonly string[];
  /** The issuer's signing keys, e.g. `createRemoteJWKSet(<issuer>/.well-known/jwks.json)`. */
  readonly keys: JWTVerifyGetKey;
}

/** Checks an `Authorization` header; `undefined` for every failure, which the gateway answers with 401. */
export type JwtAuthorizer = (authorization: string | undefined) => Promise<JwtAuthorization | undefined>;

/**
 * One claim as API Gateway renders it: everything becomes a string; arrays and objects are
 * printed the way its Go runtime prints them (`[a b]`, `map[k:v]`).
 */
export function renderClaim(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(renderClaim).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, inner]) => `${key}:${renderClaim(inner)}`).join(" ")}]`;
  }
  return String(value);
}

/** Every claim of a verified token, rendered as API Gateway passes them in `authorizer.jwt.claims`. */
export function renderClaims(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, renderClaim(value)]));
}

/** The token in an `Authorization` header: API Gateway takes it with or without the `Bearer ` prefix. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const token = authorization?.trim().replace(/^Bearer(?:\s+|$)/i, "");
  return token ? token : undefined;
}

function hasAudience(payload: JWTPayload, audience: readonly string[]): boolean {
  const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const clientId = payload["client_id"];
  return aud.some((value) => audience.includes(value)) || (typeof clientId === "string" && audience.includes(clientId));
}

/**
 * API Gateway's JWT authorizer: the signature must verify against the issuer's keys, `iss` must be
 * the issuer, `exp` must be in the future (and `nbf` in the past), and `aud` or `client_id` must be
 * an accepted audience. Which check failed is not told to the caller, as in the cloud.
 */
export function jwtAuthorizer(options: JwtAuthorizerOptions): JwtAuthorizer {
  return async (authorization) => {
    const token = bearerToken(authorization);
    if (!token) return undefined;
    try {
      const { payload } = await jwtVerify(token, options.keys, {
        issuer: options.issuer,
        algorithms: ["RS256"],
        requiredClaims: ["exp"],
      });
      if (!hasAudience(payload, options.audience)) return undefined;
      const scope = payload["scope"];
      return {
        claims: renderClaims(payload),
        scopes: typeof scope === "string" && scope.trim() !== "" ? scope.trim().split(/\s+/) : null,
      };
    } catch {
      return undefined;
    }
  };
}
