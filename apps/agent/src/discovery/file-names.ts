/**
 * Names of files still being written, by the agent (its uploads are `.upload-*` dot-files) or by
 * copy tools: dot-files, `*.part`, `*.tmp`, `*~`. Discovery does not look at them at all; a file
 * renamed from such a name to a final one is discovered under the final name.
 */
export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || /\.(?:part|tmp)$/i.test(name);
}

/**
 * Why a file name is refused, or null. File names become image file names that the API, the logs
 * and operators' terminals show: no control characters, and nothing that is not valid UTF-8 (which
 * Node decodes to U+FFFD, so the name cannot even be opened as written).
 */
export function nameRefusal(name: string): string | null {
  if (name.includes('\uFFFD')) return 'file name is not valid UTF-8';
  for (const character of name) {
    const code = character.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'file name contains control characters';
  }
  return null;
}
