import { describe, expect, it } from '@jest/globals';
import { colorEnabled, painter, stripAnsi } from './color.js';
import { formatAge, formatBytes, formatDuration, renderFields, renderTable } from './format.js';

describe('formatting', () => {
  it('formats bytes in binary units', () => {
    expect([0, 512, 1536, 64 * 1024 * 1024, 5 * 1024 ** 4].map(formatBytes)).toEqual(['0 B', '512 B', '1.5 KiB', '64.0 MiB', '5.0 TiB']);
  });

  it('formats durations as m:ss or h:mm:ss', () => {
    expect([0, 7.4, 75, 3723].map(formatDuration)).toEqual(['0:00', '0:07', '1:15', '1:02:03']);
  });

  it('formats ages relative to now', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(['2025-01-01T11:59:57Z', '2025-01-01T11:55:00Z', '2025-01-01T09:00:00Z', '2024-12-28T12:00:00Z', null].map((iso) => formatAge(iso, now))).toEqual([
      '3s ago',
      '5m ago',
      '3h ago',
      '4d ago',
      'never',
    ]);
  });

  it('pads table columns to the widest cell, ignoring colour codes, without trailing blanks', () => {
    const paint = painter(true);
    const table = renderTable(['NAME', 'STATE', 'NOTE'], [
      ['a', paint('green', 'ok'), ''],
      ['longer-name', 'missing', 'why'],
    ]);
    expect(stripAnsi(table)).toBe('NAME         STATE    NOTE\na            ok\nlonger-name  missing  why\n');
  });

  it('aligns field labels', () => {
    expect(renderFields([
      ['id', '1'],
      ['hostname', 'a'],
    ])).toBe('id:        1\nhostname:  a\n');
  });
});

describe('colour', () => {
  it('is on only for a terminal, without NO_COLOR, unless --no-color', () => {
    expect(colorEnabled({ env: {}, isTTY: true, flag: true })).toBe(true);
    expect(colorEnabled({ env: {}, isTTY: false, flag: true })).toBe(false);
    expect(colorEnabled({ env: { NO_COLOR: '1' }, isTTY: true, flag: true })).toBe(false);
    expect(colorEnabled({ env: { NO_COLOR: '' }, isTTY: true, flag: true })).toBe(true);
    expect(colorEnabled({ env: {}, isTTY: true, flag: false })).toBe(false);
  });

  it('paints with ANSI codes, or not at all', () => {
    expect(painter(true)('red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(painter(false)('red', 'x')).toBe('x');
  });
});
