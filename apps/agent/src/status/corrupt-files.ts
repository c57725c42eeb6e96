import type { Stats } from 'node:fs';

interface Finding {
  ino: number;
  size: number;
  mtimeMs: number;
  reason: string;
}

/**
 * Files the scrubber found damaged. A finding holds only while the file is the one that was checked
 * (same inode, size and mtime): a file replaced since, by a copy or an operator, is judged anew.
 */
export class CorruptFiles {
  private readonly findings = new Map<string, Finding>();

  mark(fileName: string, stats: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>, reason: string): void {
    this.findings.set(fileName, { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, reason });
  }

  clear(fileName: string): void {
    this.findings.delete(fileName);
  }

  /** Why the file is corrupt, or null when it is not known to be. */
  reason(fileName: string, stats: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>): string | null {
    const finding = this.findings.get(fileName);
    if (!finding) return null;
    if (finding.ino !== stats.ino || finding.size !== stats.size || finding.mtimeMs !== stats.mtimeMs) {
      this.findings.delete(fileName);
      return null;
    }
    return finding.reason;
  }
}
