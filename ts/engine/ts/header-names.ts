/**
 * Field names from a CSV header record: an empty name becomes `column_<n>` (1-based), and a name
 * already taken gets the first free suffix of `_2`, `_3`, … so no value is dropped. Suffixed names
 * are checked against every name taken so far, so `a,a,a_2` gives `a, a_2, a_2_2`.
 */
export function headerNames(fields: readonly string[]): string[] {
  const taken = new Set<string>()
  const names: string[] = []
  for (let i = 0; i < fields.length; i++) {
    const base = fields[i] === '' ? `column_${i + 1}` : fields[i]
    let name = base
    for (let suffix = 2; taken.has(name); suffix++) name = `${base}_${suffix}`
    taken.add(name)
    names.push(name)
  }
  return names
}
