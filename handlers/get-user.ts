import { NotFoundError } from "../domain/errors";
import type { UserRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json } from "./http";

/** What `GET /users/me` needs from the outside world. */
export interface GetUserDeps {
  readonly users: UserRepository;
}

/** `GET /users/me`: the caller's profile, or 404 before they created one. */
export function makeGetUser(deps: GetUserDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const profile = await deps.users.get(caller.userId);
    if (!profile) {
      throw new NotFoundError("User", caller.userId);
    }
    return json(200, profile);
  });
}

export const getUser: ApiHandlerFactory = () => makeGetUser({ users: awsAdapters().userRepository() });
