import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import { asyncApiDocument } from "./asyncapi-document";
import { openApiDocument } from "./openapi-document";
import { postmanCollection } from "./postman-collection";

/** The committed contracts, relative to the project root: `npm run openapi` writes them all. */
export const CONTRACT_FILES = {
  openApi: "api/openapi.json",
  postmanCollection: "api/oms.postman_collection.json",
  asyncApi: "api/asyncapi.json",
} as const;

/** A generated file: where it goes and what it holds. */
export interface ContractFile {
  readonly path: string;
  readonly text: string;
}

/** JSON as the project's Prettier formats it, so that `prettier --check` agrees with the generator. */
async function formatted(projectDir: string, path: string, value: unknown): Promise<string> {
  const file = join(projectDir, path);
  const options = (await resolveConfig(file)) ?? {};
  return format(JSON.stringify(value), { ...options, filepath: file });
}

/** The OpenAPI document and the Postman collection written from it, as files. */
export async function contractFiles(projectDir: string = join(__dirname, "..")): Promise<ContractFile[]> {
  const document = openApiDocument();
  return [
    { path: CONTRACT_FILES.openApi, text: await formatted(projectDir, CONTRACT_FILES.openApi, document) },
    {
      path: CONTRACT_FILES.postmanCollection,
      text: await formatted(projectDir, CONTRACT_FILES.postmanCollection, await postmanCollection(document)),
    },
  ];
}

/** The AsyncAPI document of the events OMS publishes, as a file. */
export async function eventContractFile(projectDir: string = join(__dirname, "..")): Promise<ContractFile> {
  return {
    path: CONTRACT_FILES.asyncApi,
    text: await formatted(projectDir, CONTRACT_FILES.asyncApi, asyncApiDocument()),
  };
}
