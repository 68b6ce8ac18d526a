import { expect } from "chai";
import { type CryptoKey, type JWTPayload, SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from "jose";
import { bearerToken, jwtAuthorizer, renderClaim, renderClaims } from "../../local/jwt-authorizer";

const ISSUER = "http://127.0.0.1:9229/local_pool";
const CLIENT_ID = "client-1";

describe("renderClaim", () => {
  const cases: [string, unknown, string][] = [
    ["a string as is", "alice@example.com", "alice@example.com"],
    ["a number as its digits", 1700000000, "1700000000"],
    ["a boolean as true or false", true, "true"],
    ["an array in brackets, space-separated", ["admin", "ops"], "[admin ops]"],
    ["a one-element array in brackets", ["admin"], "[admin]"],
    ["an empty array as []", [], "[]"],
    ["an object as a Go map with sorted keys", { b: 2, a: "x" }, "map[a:x b:2]"],
    ["null as <nil>", null, "<nil>"],
  ];
  for (const [what, value, rendered] of cases) {
    it(`renders ${what}`, () => {
      expect(renderClaim(value)).to.equal(rendered);
    });
  }
});

describe("renderClaims", () => {
  it("renders every claim of a Cognito ID token as a string", () => {
    const payload: JWTPayload = {
      sub: "u-1",
      "cognito:groups": ["admin"],
      email_verified: true,
      exp: 1700003600,
      aud: CLIENT_ID,
    };

    expect(renderClaims(payload)).to.deep.equal({
      sub: "u-1",
      "cognito:groups": "[admin]",
      email_verified: "true",
      exp: "1700003600",
      aud: CLIENT_ID,
    });
  });
});

describe("bearerToken", () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ["takes the token after Bearer", "Bearer abc.def.ghi", "abc.def.ghi"],
    ["accepts any case of Bearer", "bearer abc.def.ghi", "abc.def.ghi"],
    ["takes a raw token as API Gateway does", "abc.def.ghi", "abc.def.ghi"],
    ["finds nothing in an absent header", undefined, undefined],
    ["finds nothing in Bearer alone", "Bearer ", undefined],
  ];
  for (const [what, header, token] of cases) {
    it(what, () => {
      expect(bearerToken(header)).to.equal(token);
    });
  }
});

describe("jwtAuthorizer", () => {
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let authorize: ReturnType<typeof jwtAuthorizer>;

  before(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "CognitoLocal", alg: "RS256" };
    authorize = jwtAuthorizer({ issuer: ISSUER, audience: [CLIENT_ID], keys: createLocalJWKSet({ keys: [jwk] }) });
  });

  function sign(claims: JWTPayload, options: { key?: CryptoKey; expiresIn?: string | number } = {}): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "CognitoLocal" })
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? "1h")
      .sign(options.key ?? privateKey);
  }

  it("passes an ID token's claims rendered as strings, without scopes", async () => {
    const token = await sign({ iss: ISSUER, aud: CLIENT_ID, sub: "u-1", "cognito:groups": ["admin"], token_use: "id" });

    const authorization = await authorize(`Bearer ${token}`);

    expect(authorization?.scopes).to.equal(null);
    expect(authorization?.claims).to.include({ sub: "u-1", "cognito:groups": "[admin]", aud: CLIENT_ID, iss: ISSUER });
    expect(authorization?.claims["exp"]).to.match(/^\d+$/);
  });

  it("accepts an access token whose client_id is the audience, and passes its scopes", async () => {
    const token = await sign({ iss: ISSUER, client_id: CLIENT_ID, sub: "u-1", scope: "openid orders/read" });

    const authorization = await authorize(token);

    expect(authorization?.scopes).to.deep.equal(["openid", "orders/read"]);
    expect(authorization?.claims["client_id"]).to.equal(CLIENT_ID);
  });

  const refusals: [string, () => Promise<string | undefined>][] = [
    ["no Authorization header", () => Promise.resolve(undefined)],
    ["a header that is not a JWT", () => Promise.resolve("Bearer not-a-token")],
    ["another issuer", async () => `Bearer ${await sign({ iss: "http://evil.test/pool", aud: CLIENT_ID })}`],
    ["another audience", async () => `Bearer ${await sign({ iss: ISSUER, aud: "someone-else" })}`],
    ["no audience at all", async () => `Bearer ${await sign({ iss: ISSUER })}`],
    ["an expired token", async () => `Bearer ${await sign({ iss: ISSUER, aud: CLIENT_ID }, { expiresIn: 0 })}`],
    [
      "a signature by another key",
      async () => `Bearer ${await sign({ iss: ISSUER, aud: CLIENT_ID }, { key: otherKey })}`,
    ],
    [
      "a token without exp",
      async () =>
        `Bearer ${await new SignJWT({ iss: ISSUER, aud: CLIENT_ID })
          .setProtectedHeader({ alg: "RS256", kid: "CognitoLocal" })
          .sign(privateKey)}`,
    ],
  ];
  for (const [what, header] of refusals) {
    it(`refuses ${what}`, async () => {
      expect(await authorize(await header())).to.equal(undefined);
    });
  }
});
