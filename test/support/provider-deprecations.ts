import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ts from "typescript";

/** A resource as the mocks record it: what the Pulumi engine would send the provider. */
export interface ProviderResource {
  readonly type: string;
  readonly name?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/**
 * Something the provider would warn about or refuse: an input its SDK marks `@deprecated` (the
 * provider prints the same message at preview), a resource type it marks `@deprecated` (path ""),
 * or an input key its Args type does not declare at all.
 */
export interface InputFinding {
  readonly kind: "deprecated" | "undeclared";
  readonly type: string;
  readonly name: string;
  /** Where in the inputs, e.g. `globalSecondaryIndexes[0].hashKey`; "" for the resource itself. */
  readonly path: string;
  /** The provider's deprecation message, or why the key is undeclared. */
  readonly message: string;
}

/** One line per finding, `<type>.<path> (<name>) is <kind>: <message>`, for a spec's failure message. */
export function describeFinding(finding: InputFinding): string {
  const where = finding.path === "" ? "" : `.${finding.path}`;
  const name = finding.name === "" ? "" : ` (${finding.name})`;
  return `${finding.type}${where}${name} is ${finding.kind}: ${finding.message}`;
}

const AWS_PACKAGE = dirname(require.resolve("@pulumi/aws/package.json"));

/** `aws:<module>/<camelName>:<ClassName>`, as every resource of the AWS provider is typed. */
const AWS_TYPE_TOKEN = /^aws:([A-Za-z0-9]+)\/([A-Za-z0-9]+):([A-Za-z0-9]+)$/;

/** The type of an explicit `aws.Provider`, whose arguments are inputs too. */
const AWS_PROVIDER_TYPE = "pulumi:providers:aws";

/** Whether the AWS provider receives `type`'s inputs: its resources and explicit providers. */
export function isAwsProviderType(type: string): boolean {
  return AWS_TYPE_TOKEN.test(type) || type === AWS_PROVIDER_TYPE;
}

/** The wrappers `pulumi.Input<T>` may put around a value; the mocks see the value inside. */
const WRAPPERS = new Set(["Promise", "PromiseLike", "OutputInstance"]);

interface ResourceDeclaration {
  readonly file: string;
  readonly className: string;
}

/** Where the SDK declares a resource type: `aws:dynamodb/table:Table` is `dynamodb/table.d.ts`, class `Table`. */
function declarationOf(type: string): ResourceDeclaration {
  if (type === AWS_PROVIDER_TYPE) {
    return { file: join(AWS_PACKAGE, "provider.d.ts"), className: "Provider" };
  }
  const match = AWS_TYPE_TOKEN.exec(type);
  if (!match) {
    throw new Error(`${type} is not an AWS provider type token`);
  }
  const [, module, camelName, className] = match as unknown as [string, string, string, string];
  // The provider's `index` module lives at the package root.
  const file = join(AWS_PACKAGE, ...(module === "index" ? [] : [module]), `${camelName}.d.ts`);
  if (!existsSync(file)) {
    throw new Error(`No declaration for ${type}: ${file} does not exist`);
  }
  return { file, className };
}

function deprecationOf(symbol: ts.Symbol, checker: ts.TypeChecker): string | undefined {
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === "deprecated");
  return tag === undefined ? undefined : ts.displayPartsToString(tag.text).trim() || "deprecated";
}

/** Only plain data is walked; an asset, an archive or a resource reference is the SDK's own class. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function pathTo(parent: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  return parent === "" ? segment : /^"/.test(segment) ? `${parent}[${segment}]` : `${parent}.${segment}`;
}

/**
 * Checks recorded inputs against the AWS provider's own TypeScript declarations, which carry the
 * provider schema's deprecation messages as `@deprecated` tags. One compiler program over just the
 * declaration files of the resource types asked for, built once.
 */
export class ProviderInputChecker {
  private readonly checker: ts.TypeChecker;
  private readonly declarations = new Map<string, { args: ts.Type; resource: ts.Symbol }>();

  /** How long building the compiler program took, in milliseconds. */
  readonly buildMs: number;

  /** A checker for `types` (AWS type tokens); other types are refused by `check`. */
  constructor(types: Iterable<string>) {
    const started = performance.now();
    const wanted = new Map([...new Set(types)].map((type) => [type, declarationOf(type)]));
    const program = ts.createProgram([...new Set([...wanted.values()].map((d) => d.file))], {
      noEmit: true,
      skipLibCheck: true,
      // Only what the SDK's own imports pull in: no ambient @types of the project.
      types: [],
      lib: ["lib.es2023.d.ts"],
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
    });
    this.checker = program.getTypeChecker();
    for (const [type, { file, className }] of wanted) {
      const source = program.getSourceFile(file);
      const module = source && this.checker.getSymbolAtLocation(source);
      const exports = module ? this.checker.getExportsOfModule(module) : [];
      const args = exports.find((symbol) => symbol.name === `${className}Args`);
      const resource = exports.find((symbol) => symbol.name === className);
      if (!args || !resource) {
        throw new Error(`${file} does not export ${className} and ${className}Args`);
      }
      this.declarations.set(type, { args: this.checker.getDeclaredTypeOfSymbol(args), resource });
    }
    this.buildMs = performance.now() - started;
  }

  /** Every deprecated or undeclared input `resource` sets, in the order of its inputs. */
  check(resource: ProviderResource): InputFinding[] {
    const declaration = this.declarations.get(resource.type);
    if (!declaration) {
      throw new Error(`The checker was not built for ${resource.type}`);
    }
    const findings: InputFinding[] = [];
    const report = (kind: InputFinding["kind"], path: string, message: string) =>
      findings.push({ kind, type: resource.type, name: resource.name ?? "", path, message });
    const resourceDeprecation = deprecationOf(declaration.resource, this.checker);
    if (resourceDeprecation !== undefined) {
      report("deprecated", "", resourceDeprecation);
    }
    this.walk(resource.inputs, [declaration.args], "", report);
    return findings;
  }

  private walk(
    value: unknown,
    declared: readonly ts.Type[],
    path: string,
    report: (kind: InputFinding["kind"], path: string, message: string) => void,
  ): void {
    const candidates = [...new Set(declared.flatMap((type) => this.candidates(type)))];
    // `any`/`unknown` accept anything: nothing below them is declared.
    if (candidates.some((type) => type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) {
      return;
    }
    if (Array.isArray(value)) {
      const elementTypes = candidates
        .filter((type) => this.checker.isArrayType(type))
        .flatMap((type) => this.checker.getTypeArguments(type as ts.TypeReference));
      value.forEach((element, index) => this.walk(element, elementTypes, `${path}[${index}]`, report));
      return;
    }
    if (!isPlainObject(value)) {
      return;
    }
    const objects = candidates.filter(
      (type) =>
        (type.flags & ts.TypeFlags.Object || type.isIntersection()) &&
        !this.checker.isArrayType(type) &&
        !this.checker.isTupleType(type),
    );
    // A value the declaration types as a string (a JSON policy, say) is not walked into.
    if (objects.length === 0) {
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      // Pulumi's own bookkeeping keys, never sent as provider arguments.
      if (key.startsWith("__")) {
        continue;
      }
      const childPath = pathTo(path, key);
      const properties = objects.flatMap((type) => this.checker.getPropertyOfType(type, key) ?? []);
      if (properties.length > 0) {
        const deprecation = properties.map((p) => deprecationOf(p, this.checker)).find((m) => m !== undefined);
        if (deprecation !== undefined) {
          report("deprecated", childPath, deprecation);
        }
        const childTypes = properties.map((p) => this.checker.getTypeOfSymbol(p));
        this.walk(child, childTypes, childPath, report);
        continue;
      }
      // A map (`tags`, `environment.variables`) declares its keys by an index signature.
      const indexed = objects.flatMap((type) => this.checker.getIndexInfosOfType(type));
      if (indexed.length > 0) {
        this.walk(
          child,
          indexed.map((info) => info.type),
          childPath,
          report,
        );
        continue;
      }
      const declaredAs = objects.map((type) => this.checker.typeToString(type)).join(" | ");
      report("undeclared", childPath, `not a property of ${declaredAs}`);
    }
  }

  /** The types a recorded value may have: `Input<T>`, `T | undefined`, `Output<T>` and unions all unwrapped. */
  private candidates(type: ts.Type): ts.Type[] {
    const present = this.checker.getNonNullableType(type);
    if (present.isUnion()) {
      return present.types.flatMap((member) => this.candidates(member));
    }
    if (present.isIntersection()) {
      // `Output<T>` is `OutputInstance<T> & Lifted<T>`: its value is the T inside.
      const wrapper = present.types.find((member) => this.wrapped(member) !== undefined);
      const inner = wrapper && this.wrapped(wrapper);
      if (inner) {
        return this.candidates(inner);
      }
    }
    const inner = this.wrapped(present);
    return inner ? this.candidates(inner) : [present];
  }

  private wrapped(type: ts.Type): ts.Type | undefined {
    const name = type.getSymbol()?.name;
    if (name === undefined || !WRAPPERS.has(name) || !(type.flags & ts.TypeFlags.Object)) {
      return undefined;
    }
    return this.checker.getTypeArguments(type as ts.TypeReference)[0];
  }
}
