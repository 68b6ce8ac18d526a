import * as v from "valibot";

/**
 * The minor-unit digits a currency this runtime knows (its ICU data) formats with: 2 for EUR, 0 for
 * JPY, 3 for BHD; `undefined` for any other code. Asked of `Intl` each time rather than kept in a
 * table: Pulumi's closure serializer would copy a module-level table into every function's code.
 */
function minorUnitDigits(code: string): number | undefined {
  if (!Intl.supportedValuesOf("currency").includes(code)) return undefined;
  return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits;
}

/** Bounds on prices: every total of an order stays an exact integer (`Number.isSafeInteger`). */
export const MONEY_LIMITS = {
  /** The dearest unit: 100,000,000 minor units (1,000,000.00 in a two-digit currency). */
  maxUnitPrice: 100_000_000,
} as const;

/** An ISO 4217 currency code this runtime can format. */
export const CurrencySchema = v.pipe(
  v.string("currency must be a string"),
  v.regex(/^[A-Z]{3}$/, "currency must be an ISO 4217 code such as EUR"),
  v.check((code) => minorUnitDigits(code) !== undefined, "currency must be an ISO 4217 code such as EUR"),
  v.description("ISO 4217 code, e.g. EUR, USD, JPY"),
);

/** An amount of money: an integer number of the currency's minor units (cents), never a float. */
export const MoneySchema = v.object({
  amount: v.pipe(
    v.number("amount must be a number"),
    v.integer("amount must be an integer number of minor units (cents)"),
    v.minValue(0, "amount must not be negative"),
    v.description("Integer minor units of the currency: 1999 is 19.99 EUR, 1999 is ¥1,999"),
  ),
  currency: CurrencySchema,
});
export type Money = v.InferOutput<typeof MoneySchema>;

/** A unit price an admin sets: money, at most `MONEY_LIMITS.maxUnitPrice` minor units. */
export const UnitPriceSchema = v.object({
  amount: v.pipe(
    MoneySchema.entries.amount,
    v.maxValue(MONEY_LIMITS.maxUnitPrice, `amount must be at most ${MONEY_LIMITS.maxUnitPrice}`),
  ),
  currency: CurrencySchema,
});

/** `unit` times `quantity`, exactly. */
export function times(unit: Money, quantity: number): Money {
  return { amount: unit.amount * quantity, currency: unit.currency };
}

/** The sum of amounts in one currency; `undefined` for none. Mixed currencies are a bug here: callers check first. */
export function sum(amounts: readonly Money[]): Money | undefined {
  const [first] = amounts;
  if (first === undefined) return undefined;
  if (amounts.some((money) => money.currency !== first.currency)) {
    throw new Error(`Cannot add amounts in ${[...new Set(amounts.map((money) => money.currency))].join(" and ")}`);
  }
  return { amount: amounts.reduce((total, money) => total + money.amount, 0), currency: first.currency };
}

/**
 * The amount as a decimal string in major units, by moving the decimal point, never through a
 * float: 1999 EUR → "19.99", 1999 JPY → "1999", 5 BHD → "0.005". What a CSV cell holds.
 */
export function decimalAmount(money: Money): string {
  const digits = minorUnitDigits(money.currency) ?? 2;
  if (digits === 0) return String(money.amount);
  const padded = String(money.amount).padStart(digits + 1, "0");
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** The amount for people, with its currency's symbol and grouping: "€1,234.50". Intl formats the exact decimal string. */
export function formatMoney(money: Money, locale = "en"): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency: money.currency }).format(
    decimalAmount(money) as unknown as number,
  );
}
