import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, type StackConfig, parseStackConfig } from "../infra/stack-config";

/** A stack's settings as `Pulumi.<stack>.yaml` gives them. */
export interface StackConfigFile {
  /** The `oms:*` keys, validated by the same schema as `pulumi up`. */
  readonly config: StackConfig;
  /** `aws:region`, when the file sets it. */
  readonly region: string | undefined;
}

/** The directory holding `Pulumi.yaml` and the stack files. */
export const PROJECT_DIR = join(__dirname, "..");

/**
 * Reads `Pulumi.<stack>.yaml` the way Pulumi would for this project: the `oms:` keys, without
 * their namespace, through `parseStackConfig`, so that a stack that would fail `pulumi preview`
 * fails `npm start` with the same message.
 */
export function readStackConfigFile(stack: string, projectDir: string = PROJECT_DIR): StackConfigFile {
  const path = join(projectDir, `Pulumi.${stack}.yaml`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`Stack "${stack}" has no config file: ${path} cannot be read`, { cause: error });
  }
  const document: unknown = parse(text);
  const entries =
    typeof document === "object" && document !== null && "config" in document ? document.config : undefined;
  if (typeof entries !== "object" || entries === null) {
    throw new Error(`${path} has no "config:" section`);
  }
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  const region = (entries as Record<string, unknown>)["aws:region"];
  return { config: parseStackConfig(raw, stack), region: typeof region === "string" ? region : undefined };
}
