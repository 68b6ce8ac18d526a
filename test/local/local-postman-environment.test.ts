import { expect } from "chai";
import { LOCAL_POSTMAN_USERS, localPostmanEnvironment } from "../../local/local-postman-environment";

describe("localPostmanEnvironment", () => {
  it("points at the running stack, with the local users npm start creates", () => {
    const environment = localPostmanEnvironment({
      url: "http://127.0.0.1:3000",
      cognitoEndpoint: "http://127.0.0.1:9229",
      clientId: "local-client",
      region: "eu-west-1",
    });

    expect(environment.name).to.equal("OMS local");
    expect(Object.fromEntries(environment.values.map((value) => [value.key, value.value]))).to.deep.equal({
      baseUrl: "http://127.0.0.1:3000",
      cognitoEndpoint: "http://127.0.0.1:9229",
      clientId: "local-client",
      region: "eu-west-1",
      email: LOCAL_POSTMAN_USERS.email,
      password: LOCAL_POSTMAN_USERS.password,
      adminEmail: LOCAL_POSTMAN_USERS.adminEmail,
      adminPassword: LOCAL_POSTMAN_USERS.adminPassword,
      idToken: "",
      adminIdToken: "",
    });
  });
});
