import type { Money } from "../domain/money";

/**
 * The stock the local stack starts with, on an empty inventory table: the seed deployment's items,
 * priced so that a local order shows line totals and a total.
 */
export const SEED_INVENTORY: readonly {
  readonly itemId: string;
  readonly quantity: number;
  readonly unitPrice: Money;
}[] = [
  { itemId: "Headlight", quantity: 4, unitPrice: { amount: 4999, currency: "EUR" } },
  { itemId: "Seatbelt", quantity: 3, unitPrice: { amount: 2450, currency: "EUR" } },
  { itemId: "coolant", quantity: 2, unitPrice: { amount: 1299, currency: "EUR" } },
  { itemId: "MacBook Pro", quantity: 10, unitPrice: { amount: 249900, currency: "EUR" } },
];
