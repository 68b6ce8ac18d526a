import { ConflictError } from "../domain/errors";
import type { SubscriptionRegistry, UserRepository } from "../domain/ports";
import { parseNewUser, type UserProfile } from "../domain/user";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, jsonBody } from "./http";

/** What `POST /users` needs from the outside world. */
export interface CreateUserDeps {
  readonly users: UserRepository;
  readonly subscriptions: SubscriptionRegistry;
  readonly now: () => Date;
}

/**
 * `POST /users`: creates the caller's profile and subscribes its e-mail to their own order mail.
 * The subscription comes first and is undone when the profile cannot be stored, so that no
 * subscription outlives a failed request and no profile exists without one.
 */
export function makeCreateUser(deps: CreateUserDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const input = parseNewUser(jsonBody(event));
    if (await deps.users.get(caller.userId)) {
      throw new ConflictError("A profile already exists for this user");
    }
    const at = deps.now().toISOString();
    const profile: UserProfile = { userId: caller.userId, ...input, createdAt: at, updatedAt: at };
    const subscriptionArn = await deps.subscriptions.subscribe(profile.email, profile.userId);
    let created: boolean;
    try {
      created = await deps.users.create(profile, subscriptionArn);
    } catch (error) {
      await deps.subscriptions.unsubscribe(subscriptionArn);
      throw error;
    }
    if (!created) {
      // Another request created the profile meanwhile; SNS may have handed both the same subscription.
      if ((await deps.users.get(caller.userId))?.subscriptionArn !== subscriptionArn) {
        await deps.subscriptions.unsubscribe(subscriptionArn);
      }
      throw new ConflictError("A profile already exists for this user");
    }
    return json(201, profile, { location: "/users/me" });
  });
}

export const createUser: ApiHandlerFactory = (adapters = {}) => {
  const aws = awsAdapters();
  return makeCreateUser({
    users: aws.userRepository(),
    subscriptions: adapters.notifications ?? aws.notifications(),
    now: () => new Date(),
  });
};
