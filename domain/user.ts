import * as v from "valibot";
import { ValidationError } from "./errors";
import { boundedText, parseOrThrow, requireFields } from "./validation";

/** Limits on a profile. */
export const USER_LIMITS = { nameLength: 100, emailLength: 254 } as const;

const email = v.pipe(
  v.string("email must be a string"),
  v.trim(),
  v.toLowerCase(),
  v.maxLength(USER_LIMITS.emailLength, `email must be at most ${USER_LIMITS.emailLength} characters`),
  v.email("email must be an e-mail address"),
);

export const CreateUserSchema = v.object({
  name: boundedText("name", USER_LIMITS.nameLength),
  email,
});
export type NewUser = v.InferOutput<typeof CreateUserSchema>;

/** Whether the customer is e-mailed about their orders. */
const orderMail = v.pipe(
  v.boolean("orderMail must be true or false"),
  v.description("Whether this user is e-mailed about their orders (placed, status changed, deleted)"),
);

export const UpdateUserSchema = v.object({
  name: v.optional(boundedText("name", USER_LIMITS.nameLength)),
  email: v.optional(email),
  orderMail: v.optional(orderMail),
});
export type UserChanges = v.InferOutput<typeof UpdateUserSchema>;

/** The fields `POST /users` needs. */
const REQUIRED_USER_FIELDS = ["name", "email"] as const;

/** A customer's profile; its id is the Cognito `sub`, so a user has at most one. */
export const UserProfileSchema = v.object({
  userId: v.pipe(v.string(), v.description("The user's token `sub`")),
  name: v.string(),
  email: v.pipe(v.string(), v.email(), v.description("Receives this user's order e-mails, and only theirs")),
  orderMail,
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  updatedAt: v.pipe(v.string(), v.isoTimestamp()),
});
export type UserProfile = v.InferOutput<typeof UserProfileSchema>;

/** Validates a `POST /users` body; unknown fields are dropped. */
export function parseNewUser(body: unknown): NewUser {
  return parseOrThrow(CreateUserSchema, requireFields(body, REQUIRED_USER_FIELDS));
}

/** Order mail is on for a new profile: the customer turns it off with `PUT /users/me`. */
export const ORDER_MAIL_DEFAULT = true;

/** Validates a `PUT /users/me` body: at least one of `name`, `email` and `orderMail`. */
export function parseUserChanges(body: unknown): UserChanges {
  const changes = parseOrThrow(UpdateUserSchema, requireFields(body, []));
  if (changes.name === undefined && changes.email === undefined && changes.orderMail === undefined) {
    throw new ValidationError("body", "body must change name, email or orderMail");
  }
  return changes;
}
