import { ConflictError, NotFoundError } from "../domain/errors";
import type { UserRepository } from "../domain/ports";
import { parseUserChanges, type UserProfile } from "../domain/user";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, jsonBody } from "./http";

/** What `PUT /users/me` needs from the outside world. */
export interface UpdateUserDeps {
  readonly users: UserRepository;
  readonly now: () => Date;
}

/**
 * `PUT /users/me`: changes the caller's name, e-mail and/or whether they get order mail. The
 * profile is stored only if nobody changed it since it was read, so that two updates never
 * silently undo each other; the loser gets 409.
 */
export function makeUpdateUser(deps: UpdateUserDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const changes = parseUserChanges(jsonBody(event));
    const current = await deps.users.get(caller.userId);
    if (!current) {
      throw new NotFoundError("User", caller.userId);
    }
    const updated: UserProfile = { ...current, ...changes, updatedAt: deps.now().toISOString() };
    if (!(await deps.users.update(updated, current.updatedAt))) {
      throw new ConflictError("The profile changed while it was being updated; read it again and retry");
    }
    return json(200, updated);
  });
}

export const updateUser: ApiHandlerFactory = () =>
  makeUpdateUser({ users: awsAdapters().userRepository(), now: () => new Date() });
