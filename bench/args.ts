/** A benchmark's `--name=value` argument, or `fallback` when it is not given. */
export function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}
