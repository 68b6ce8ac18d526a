/** A setting the deployment must provide; its absence is a wiring bug, reported at cold start. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`Environment variable ${name} is not set`);
  }
  return value;
}
