/** The Cognito group whose members manage every order. */
export const ADMIN_GROUP = "admin";

/** Who is asking, as the JWT authorizer vouched for it. */
export interface Caller {
  /** The token's `sub`: the user's stable id. */
  readonly userId: string;
  /** Whether the caller belongs to the `admin` group. */
  readonly isAdmin: boolean;
}

/**
 * The owner whose orders a caller may see, list or change: the caller themselves, or `undefined`
 * (every owner) for an admin.
 */
export function ownerScope(caller: Caller): string | undefined {
  return caller.isAdmin ? undefined : caller.userId;
}
