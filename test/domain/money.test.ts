import { expect } from "chai";
import * as v from "valibot";
import {
  type Money,
  CurrencySchema,
  MONEY_LIMITS,
  MoneySchema,
  UnitPriceSchema,
  decimalAmount,
  formatMoney,
  sum,
  times,
} from "../../domain/money";
import { ORDER_LIMITS } from "../../domain/order";
import { parseOrThrow } from "../../domain/validation";
import { ValidationError } from "../../domain/errors";

/** A code no ISO 4217 list holds, so that no runtime's ICU data knows it. */
const NOT_A_CURRENCY = "QQQ";

describe("money", () => {
  describe("MoneySchema", () => {
    const accepted: [string, Money][] = [
      ["an integer amount of cents", { amount: 1999, currency: "EUR" }],
      ["nothing", { amount: 0, currency: "EUR" }],
      ["yen, which have no minor unit", { amount: 1999, currency: "JPY" }],
      ["dinars, which have three digits of minor units", { amount: 5, currency: "BHD" }],
    ];
    for (const [what, money] of accepted) {
      it(`accepts ${what}`, () => {
        expect(parseOrThrow(MoneySchema, money)).to.deep.equal(money);
      });
    }

    const refused: [string, unknown, string, string][] = [
      [
        "a float amount",
        { amount: 19.99, currency: "EUR" },
        "amount",
        "amount must be an integer number of minor units (cents)",
      ],
      ["a negative amount", { amount: -1, currency: "EUR" }, "amount", "amount must not be negative"],
      ["an amount as a string", { amount: "1999", currency: "EUR" }, "amount", "amount must be a number"],
      [
        "a lower-case code",
        { amount: 1999, currency: "eur" },
        "currency",
        "currency must be an ISO 4217 code such as EUR",
      ],
      [
        "a four-letter code",
        { amount: 1999, currency: "EURO" },
        "currency",
        "currency must be an ISO 4217 code such as EUR",
      ],
      [
        `a code no ISO 4217 list holds (${NOT_A_CURRENCY})`,
        { amount: 1999, currency: NOT_A_CURRENCY },
        "currency",
        "currency must be an ISO 4217 code such as EUR",
      ],
      [
        "a currency symbol",
        { amount: 1999, currency: "€" },
        "currency",
        "currency must be an ISO 4217 code such as EUR",
      ],
      ["a numeric currency", { amount: 1999, currency: 978 }, "currency", "currency must be a string"],
    ];
    for (const [what, money, field, message] of refused) {
      it(`refuses ${what}, naming ${field}`, () => {
        expect(() => parseOrThrow(MoneySchema, money))
          .to.throw(ValidationError, message)
          .that.includes({ field });
      });
    }

    it(`knows every currency this runtime can format, and ${NOT_A_CURRENCY} is not one of them`, () => {
      const known = Intl.supportedValuesOf("currency");

      expect(known).not.to.include(NOT_A_CURRENCY);
      expect(known.filter((code) => !v.is(CurrencySchema, code))).to.deep.equal([]);
    });
  });

  describe("UnitPriceSchema", () => {
    it(`accepts a price of ${MONEY_LIMITS.maxUnitPrice} minor units, the dearest`, () => {
      const price = { amount: MONEY_LIMITS.maxUnitPrice, currency: "EUR" };

      expect(parseOrThrow(UnitPriceSchema, price)).to.deep.equal(price);
    });

    it("refuses a dearer one, naming amount", () => {
      expect(() => parseOrThrow(UnitPriceSchema, { amount: MONEY_LIMITS.maxUnitPrice + 1, currency: "EUR" }))
        .to.throw(ValidationError, `amount must be at most ${MONEY_LIMITS.maxUnitPrice}`)
        .that.includes({ field: "amount" });
    });

    it("refuses what money refuses, naming the field", () => {
      expect(() => parseOrThrow(UnitPriceSchema, { amount: 4.5, currency: "EUR" }))
        .to.throw(ValidationError, "amount must be an integer number of minor units (cents)")
        .that.includes({ field: "amount" });
      expect(() => parseOrThrow(UnitPriceSchema, { amount: 450, currency: NOT_A_CURRENCY }))
        .to.throw(ValidationError, "currency must be an ISO 4217 code such as EUR")
        .that.includes({ field: "currency" });
    });
  });

  describe("decimalAmount", () => {
    const cases: [Money, string][] = [
      [{ amount: 1999, currency: "EUR" }, "19.99"],
      [{ amount: 5, currency: "EUR" }, "0.05"],
      [{ amount: 0, currency: "EUR" }, "0.00"],
      [{ amount: 1999, currency: "JPY" }, "1999"],
      [{ amount: 5, currency: "BHD" }, "0.005"],
      [{ amount: 1234567, currency: "BHD" }, "1234.567"],
      [{ amount: Number.MAX_SAFE_INTEGER, currency: "EUR" }, "90071992547409.91"],
    ];
    for (const [money, decimal] of cases) {
      it(`writes ${money.amount} ${money.currency} as "${decimal}"`, () => {
        expect(decimalAmount(money)).to.equal(decimal);
      });
    }
  });

  describe("formatMoney", () => {
    const cases: [Money, string | undefined, string][] = [
      [{ amount: 123450, currency: "EUR" }, undefined, "€1,234.50"],
      [{ amount: 1999, currency: "USD" }, undefined, "$19.99"],
      [{ amount: 1999, currency: "JPY" }, undefined, "¥1,999"],
      [{ amount: 123450, currency: "EUR" }, "de", "1.234,50\u00a0€"],
      [{ amount: Number.MAX_SAFE_INTEGER, currency: "EUR" }, undefined, "€90,071,992,547,409.91"],
    ];
    for (const [money, locale, text] of cases) {
      it(`shows ${money.amount} ${money.currency} as "${text}"${locale ? ` in ${locale}` : ""}, exactly`, () => {
        expect(formatMoney(money, locale)).to.equal(text);
      });
    }
  });

  describe("times and sum", () => {
    it("multiply exactly", () => {
      expect(times({ amount: 1999, currency: "EUR" }, 3)).to.deep.equal({ amount: 5997, currency: "EUR" });
    });

    it("add exactly, where floats would not: 0.10 + 0.20 is 0.30", () => {
      expect(
        sum([
          { amount: 10, currency: "EUR" },
          { amount: 20, currency: "EUR" },
        ]),
      ).to.deep.equal({ amount: 30, currency: "EUR" });
    });

    it("sum nothing to no amount", () => {
      expect(sum([])).to.equal(undefined);
    });

    it("refuse to add amounts in different currencies, naming them", () => {
      expect(() =>
        sum([
          { amount: 10, currency: "EUR" },
          { amount: 20, currency: "USD" },
          { amount: 30, currency: "EUR" },
        ]),
      ).to.throw(Error, "Cannot add amounts in EUR and USD");
    });

    it("keep the largest order total a safe integer", () => {
      const dearestLine = times({ amount: MONEY_LIMITS.maxUnitPrice, currency: "EUR" }, ORDER_LIMITS.maxQuantity);

      const total = sum(Array.from({ length: ORDER_LIMITS.maxLines }, () => dearestLine));

      expect(Number.isSafeInteger(total?.amount)).to.equal(true);
      expect(total?.amount).to.equal(MONEY_LIMITS.maxUnitPrice * ORDER_LIMITS.maxQuantity * ORDER_LIMITS.maxLines);
    });
  });
});
