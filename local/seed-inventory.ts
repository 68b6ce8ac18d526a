/** The stock the local stack starts with, on an empty inventory table: the seed deployment's items. */
export const SEED_INVENTORY: readonly { readonly itemId: string; readonly quantity: number }[] = [
  { itemId: "Headlight", quantity: 4 },
  { itemId: "Seatbelt", quantity: 3 },
  { itemId: "coolant", quantity: 2 },
  { itemId: "MacBook Pro", quantity: 10 },
];
