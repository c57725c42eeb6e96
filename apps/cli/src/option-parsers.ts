import { InvalidArgumentError } from 'commander';

/** A commander argument parser for a whole number in [min, max]. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not a whole number`);
    const number = Number(value);
    if (number < min || number > max) throw new InvalidArgumentError(`${number} is not between ${min} and ${max}`);
    return number;
  };
}

/** `--property k=v`, repeatable: collects into an object; later keys win. */
export function collectProperty(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`"${value}" is not KEY=VALUE`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** `--wait [seconds]`: true (no value) means the default. */
export function waitSeconds(option: true | number | undefined, defaultSeconds: number): number | null {
  if (option === undefined) return null;
  return option === true ? defaultSeconds : option;
}
