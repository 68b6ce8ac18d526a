import type { Order } from "./order";

/** The Cognito group whose members manage every order. */
export const ADMIN_GROUP = "admin";

/** What a user's password must have: the user pool's policy, in the cloud and in the local stack alike. */
export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
} as const;

/** Who is asking, as the JWT authorizer vouched for it. */
export interface Caller {
  /** The token's `sub`: the user's stable id. */
  readonly userId: string;
  /** The token's `email`, when it carries one. */
  readonly email?: string;
  /** Whether the caller belongs to the `admin` group. */
  readonly isAdmin: boolean;
}

/** Owners see their own orders; admins see every order. */
export function canAccessOrder(caller: Caller, order: Pick<Order, "ownerId">): boolean {
  return caller.isAdmin || order.ownerId === caller.userId;
}

/**
 * The owner whose orders a caller may list or change: the caller themselves, or `undefined`
 * (every owner) for an admin.
 */
export function ownerScope(caller: Caller): string | undefined {
  return caller.isAdmin ? undefined : caller.userId;
}
