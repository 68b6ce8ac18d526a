import { ConflictError, NotFoundError } from "../domain/errors";
import type { SubscriptionRegistry, UserRepository } from "../domain/ports";
import { parseUserChanges, type UserProfile } from "../domain/user";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, jsonBody } from "./http";

/** What `PUT /users/me` needs from the outside world. */
export interface UpdateUserDeps {
  readonly users: UserRepository;
  readonly subscriptions: SubscriptionRegistry;
  readonly now: () => Date;
}

/**
 * `PUT /users/me`: changes the caller's name and/or e-mail. A new e-mail moves the subscription:
 * the new one is made first, the profile is stored only if nobody changed it meanwhile, and then
 * the old subscription ends (or, when storing failed, the new one does).
 */
export function makeUpdateUser(deps: UpdateUserDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const changes = parseUserChanges(jsonBody(event));
    const current = await deps.users.get(caller.userId);
    if (!current) {
      throw new NotFoundError("User", caller.userId);
    }
    const { subscriptionArn: oldSubscription = "", ...profile } = current;
    const updated: UserProfile = { ...profile, ...changes, updatedAt: deps.now().toISOString() };
    const moves = updated.email !== current.email;
    const subscriptionArn = moves ? await deps.subscriptions.subscribe(updated.email, updated.userId) : oldSubscription;
    let stored = false;
    try {
      stored = await deps.users.update(updated, subscriptionArn, current.email);
    } finally {
      if (moves) {
        await deps.subscriptions.unsubscribe(stored ? oldSubscription : subscriptionArn);
      }
    }
    if (!stored) {
      throw new ConflictError("The profile changed while it was being updated; read it again and retry");
    }
    return json(200, updated);
  });
}

export const updateUser: ApiHandlerFactory = (adapters = {}) => {
  const aws = awsAdapters();
  return makeUpdateUser({
    users: aws.userRepository(),
    subscriptions: adapters.notifications ?? aws.notifications(),
    now: () => new Date(),
  });
};
