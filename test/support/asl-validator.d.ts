/** `asl-validator` ships no types; this is the part of its API the specs use. */
declare module "asl-validator" {
  interface ValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly { readonly message: string }[];
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown): ValidationResult;
  export = aslValidator;
}
