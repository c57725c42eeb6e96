// Small statistics and formatting helpers shared by the benchmarks.

/** Nearest-rank percentile of an ascending array (null when empty). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** p50 / p95 / p99 / max / count of the values (any order). */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : null,
    min: sorted.length ? sorted[0] : null,
  };
}

export function median(values) {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** A number with `digits` decimals, or 'n/a'. */
export function fixed(value, digits = 1) {
  return value === null || value === undefined || Number.isNaN(value) || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

/** A ratio as "×1.23" style text, or 'n/a'. */
export function ratio(a, b, digits = 2) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  return `${(a / b).toFixed(digits)}×`;
}

/** a / b as a percentage text. */
export function percent(a, b, digits = 0) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a';
  return `${((a / b) * 100).toFixed(digits)} %`;
}

export function verdict(pass) {
  return pass === null || pass === undefined ? '—' : pass ? 'PASS' : 'FAIL';
}
