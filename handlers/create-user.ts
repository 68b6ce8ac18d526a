import { ConflictError } from "../domain/errors";
import type { UserRepository } from "../domain/ports";
import { ORDER_MAIL_DEFAULT, parseNewUser, type UserProfile } from "../domain/user";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, jsonBody } from "./http";

/** What `POST /users` needs from the outside world. */
export interface CreateUserDeps {
  readonly users: UserRepository;
  readonly now: () => Date;
}

/**
 * `POST /users`: creates the caller's profile, with order mail on. Nothing else is set up per
 * customer: the order mailer reads the profile when it has something to tell them.
 */
export function makeCreateUser(deps: CreateUserDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const input = parseNewUser(jsonBody(event));
    const at = deps.now().toISOString();
    const profile: UserProfile = {
      userId: caller.userId,
      ...input,
      orderMail: ORDER_MAIL_DEFAULT,
      createdAt: at,
      updatedAt: at,
    };
    if (!(await deps.users.create(profile))) {
      throw new ConflictError("A profile already exists for this user");
    }
    return json(201, profile, { location: "/users/me" });
  });
}

export const createUser: ApiHandlerFactory = () =>
  makeCreateUser({ users: awsAdapters().userRepository(), now: () => new Date() });
