/** The lines written to stdout while `run` runs, where Powertools writes its logs and metrics; nothing reaches the terminal. */
export async function stdoutLinesOf(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return lines;
}
