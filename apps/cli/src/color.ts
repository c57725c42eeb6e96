export type Style = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'dim' | 'bold';

const CODES: Record<Style, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

/** Paints text with an ANSI style, or returns it as it is when colour is off. */
export type Paint = (style: Style, text: string) => string;

/** Colour only on a terminal, never with NO_COLOR set to anything (https://no-color.org) or --no-color. */
export function colorEnabled(options: { env: NodeJS.ProcessEnv; isTTY: boolean; flag: boolean }): boolean {
  return options.flag && !options.env.NO_COLOR && options.isTTY;
}

export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text;
  return (style, text) => {
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** The text without ANSI styles, e.g. to measure its width. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
