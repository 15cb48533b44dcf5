import { generateFunction, propertyKey } from '../codegen'
import { FALSE, JSON_VALUE, NULL, NUMBER, TEXT, TRUE } from './value-kinds'

/**
 * Record constructors: functions that build one record from its values, made once per CSV header
 * or JSON shape, so every record of a kind gets the same object layout at once and no key is read
 * per record. The native engine's columnar hand-off builds every record with them, the TS
 * engine its CSV records.
 *
 * They are generated as literals (`{"id": v[0], "geo": {"x": v[1]}}`) where code generation is
 * allowed and the record has at most `MAX_GENERATED_WIDTH` values; otherwise a loop or a walk of
 * the shape builds the same thing.
 */

/** Builds one record from its values (`values` is reused: the record must not keep it). */
export type RecordMaker = (values: unknown[]) => unknown

/** Records with more values are built by a loop or walk instead of a generated literal. */
const MAX_GENERATED_WIDTH = 1000

/** A CSV record's constructor: an object keyed by `names`, or an array of `width` values. */
export function csvRecordMaker(names: string[] | null, width: number): RecordMaker {
  return remembered(`csv ${width} ${JSON.stringify(names)}`, () => makeCsvRecordMaker(names, width))
}

/**
 * The `TypedRecordMaker` for a CSV header (`types: 'infer'`), or `null` where the record is not
 * generated (see `typedRecordMaker`).
 */
export function csvTypedRecordMaker(names: string[] | null, width: number): TypedRecordMaker | null {
  return remembered(`typed ${width} ${JSON.stringify(names)}`, () => makeCsvTypedRecordMaker(names, width))
}

/** The `TextRecordMaker` for a CSV header (see `makeCsvTextRecordMaker`). */
export function csvTextRecordMaker(names: string[] | null, width: number, gap: number): TextRecordMaker {
  return remembered(`text ${width} ${gap} ${JSON.stringify(names)}`, () => makeCsvTextRecordMaker(names, width, gap))
}

/**
 * `csvTextRecordMaker` for the TS engine's CSV parser, which holds a record's field ends in an
 * array rather than a `Uint32Array`: a function of its own, so neither engine's keyed loads see
 * the other's kind of array.
 */
export function csvFieldRecordMaker(names: string[] | null, width: number): TextRecordMaker {
  return remembered(`fields ${width} ${JSON.stringify(names)}`, () => makeCsvTextRecordMaker(names, width, 1))
}

/** How to build the records of the JSON shape `description` (see `makeJsonShape`). */
export function jsonShape(description: string): Shape {
  return remembered(`json ${description}`, () => makeJsonShape(description))
}

/**
 * Constructors already made, by what they were made from, for the whole process: every
 * iteration of a stream opens its files anew, and a constructor generated anew is run cold
 * until V8 has optimised it again, which took 10 ms of a 50 ms read of 20 MiB of wide.jsonl
 * (Node.js 26). The first `MAX_REMEMBERED` are kept; a longer key than `MAX_REMEMBERED_KEY`
 * (a very wide header) is made every time.
 */
const made = new Map<string, unknown>()
const MAX_REMEMBERED = 1024
const MAX_REMEMBERED_KEY = 16 << 10

function remembered<T>(key: string, make: () => T): T {
  if (made.has(key)) return made.get(key) as T
  const maker = make()
  if (made.size < MAX_REMEMBERED && key.length <= MAX_REMEMBERED_KEY) made.set(key, maker)
  return maker
}

function makeCsvRecordMaker(names: string[] | null, width: number): RecordMaker {
  if (names !== null && names.length !== width) return objectBuilder(names, width)
  if (width <= MAX_GENERATED_WIDTH) {
    const generated = generateMaker(csvLiteral(names, width, (k) => `v[${k}]`))
    if (generated !== null) return generated
  }
  return names === null ? (values) => values.slice(0, width) : objectBuilder(names, width)
}

/** The literal of a CSV record whose value `k` is the expression `leaf(k)`. */
function csvLiteral(names: string[] | null, width: number, leaf: (k: number) => string): string {
  const items: string[] = []
  for (let k = 0; k < width; k++) items.push(names === null ? leaf(k) : `${propertyKey(names[k])}: ${leaf(k)}`)
  return names === null ? `[${items.join(', ')}]` : `{${items.join(', ')}}`
}

/**
 * Builds one record of values of any kind straight from a columnar batch: value `k` has the kind
 * `kinds[kindsFirst + k]` and, when it is text or JSON, its text is
 * `source.slice(start, base + ends[first + k])`, where `start` is `gap` after where the value
 * before it ends (`base` for the first); numbers are taken from `numbers` at `cursor.next`, which
 * it moves past them.
 */
export type TypedRecordMaker = (
  source: string,
  ends: Uint32Array,
  first: number,
  base: number,
  kinds: Uint8Array,
  kindsFirst: number,
  numbers: Float64Array,
  cursor: { next: number },
  gap: number,
  parse: (text: string) => unknown,
) => unknown

function makeCsvTypedRecordMaker(names: string[] | null, width: number): TypedRecordMaker | null {
  if (names !== null && names.length !== width) return null
  return typedRecordMaker(width, csvLiteral(names, width, (k) => `x${k}`))
}

/**
 * Generates a `TypedRecordMaker` whose record is `literal`, written with value `k` as `x${k}`.
 * Each value takes its kind with a test of its own in the generated code, so each test sees one
 * place of one shape, and no value is stored in an array first: for JSON Lines this took a third
 * of the time the loop over kinds took. `null` where code generation is disallowed or the record
 * is too wide; the caller then loops over the kinds.
 */
function typedRecordMaker(width: number, literal: string): TypedRecordMaker | null {
  if (width === 0 || width > MAX_GENERATED_WIDTH) return null
  const lines = ['let n = c.next, t']
  for (let k = 0; k < width; k++) {
    const text = `s.slice(${k === 0 ? 'b' : `e${k - 1} + g`}, e${k})`
    lines.push(
      `const e${k} = b + e[v + ${k}], x${k} = (t = k[w + ${k}]) === ${TEXT} ? ${text} : t === ${NUMBER} ? m[n++] : ` +
        `t === ${TRUE} ? true : t === ${FALSE} ? false : t === ${NULL} ? null : t === ${JSON_VALUE} ? P(${text}) : ${text}`,
    )
  }
  lines.push(`const r = ${literal}`, 'c.next = n', 'return r')
  return generateFunction<TypedRecordMaker>(['s', 'e', 'v', 'b', 'k', 'w', 'm', 'c', 'g', 'P'], lines.join('\n'))
}

/**
 * Builds one all-text CSV record straight from the string holding its values: value `k` is
 * `source.slice(start, base + ends[first + k])`, where `start` is the value gap after where the
 * value before it ends (`base` for the first).
 */
export type TextRecordMaker = (source: string, ends: ArrayLike<number>, first: number, base: number) => unknown

/**
 * The `TextRecordMaker` for a CSV header: generated, so that the literal takes each value itself
 * and no record stores its values into an array first; where code generation is disallowed or
 * the record is too wide, a loop that gathers the values for `csvRecordMaker`'s constructor.
 */
function makeCsvTextRecordMaker(names: string[] | null, width: number, gap: number): TextRecordMaker {
  if ((names === null || names.length === width) && width > 0 && width <= MAX_GENERATED_WIDTH) {
    const endsCode: string[] = []
    const items: string[] = []
    for (let k = 0; k < width; k++) {
      endsCode.push(`e${k} = b + e[v + ${k}]`)
      const value = `s.slice(${k === 0 ? 'b' : `e${k - 1} + ${gap}`}, e${k})`
      items.push(names === null ? value : `${propertyKey(names[k])}: ${value}`)
    }
    const literal = names === null ? `[${items.join(', ')}]` : `{${items.join(', ')}}`
    const generated = generateFunction<TextRecordMaker>(['s', 'e', 'v', 'b'], `const ${endsCode.join(', ')}; return ${literal}`)
    if (generated !== null) return generated
  }
  const make = csvRecordMaker(names, width)
  const values: unknown[] = []
  return (source, ends, first, base) => {
    let start = base
    for (let k = 0; k < width; k++) {
      const end = base + ends[first + k]
      values[k] = source.slice(start, end)
      start = end + gap
    }
    return make(values)
  }
}

/**
 * A JSON shape as the core describes it (`json_shape.rs`): a leaf is `0`, an object
 * `[1, key, shape, key, shape, …]` with its keys in input order (repeats included), an array
 * `[2, shape, …]`. Leaves are numbered in that order.
 */
type ShapeNode = 0 | [1, ...(string | ShapeNode)[]] | [2, ...ShapeNode[]]

/** How to build the records of one JSON shape (or CSV header). */
export interface Shape {
  /** Values per record. */
  width: number
  make: RecordMaker
  /** Builds a record straight from the columns, where generated. */
  fromColumns: TypedRecordMaker | null
}

/**
 * The constructor of a JSON shape. The literal gives what `JSON.parse` gives for the same text:
 * both create own data properties in order (a repeated key keeps its first place and its last
 * value; integer-like keys come first in either), and `__proto__` is a computed key.
 */
function makeJsonShape(description: string): Shape {
  const node = JSON.parse(description) as ShapeNode
  const width = leafCount(node)
  if (width <= MAX_GENERATED_WIDTH) {
    let next = 0
    const generated = generateMaker(literalOf(node, () => `v[${next++}]`))
    let leaf = 0
    if (generated !== null) return { width, make: generated, fromColumns: typedRecordMaker(width, literalOf(node, () => `x${leaf++}`)) }
  }
  return {
    width,
    fromColumns: null,
    make: (values) => {
      let next = 0
      return build(node, values, () => next++)
    },
  }
}

function leafCount(node: ShapeNode): number {
  if (node === 0) return 1
  let count = 0
  const step = node[0] === 1 ? 2 : 1
  for (let i = step; i < node.length; i += step) count += leafCount(node[i] as ShapeNode)
  return count
}

/** The literal of a record of shape `node`, its leaves the expressions `leaf()` gives in order. */
function literalOf(node: ShapeNode, leaf: () => string): string {
  if (node === 0) return leaf()
  const parts: string[] = []
  if (node[0] === 1) {
    for (let i = 1; i < node.length; i += 2) parts.push(`${propertyKey(node[i] as string)}: ${literalOf(node[i + 1] as ShapeNode, leaf)}`)
    return `{${parts.join(', ')}}`
  }
  for (let i = 1; i < node.length; i++) parts.push(literalOf(node[i] as ShapeNode, leaf))
  return `[${parts.join(', ')}]`
}

function build(node: ShapeNode, values: unknown[], next: () => number): unknown {
  if (node === 0) return values[next()]
  if (node[0] === 2) {
    const items: unknown[] = []
    for (let i = 1; i < node.length; i++) items.push(build(node[i] as ShapeNode, values, next))
    return items
  }
  const record: Record<string, unknown> = {}
  for (let i = 1; i < node.length; i += 2) setOwn(record, node[i] as string, build(node[i + 1] as ShapeNode, values, next))
  return record
}

/** `new Function` of `return <literal>`, or `null` where code generation from strings is disallowed. */
function generateMaker(literal: string): RecordMaker | null {
  return generateFunction<RecordMaker>(['v'], `return ${literal}`)
}

/** The loop that builds CSV objects where no constructor is generated. */
function objectBuilder(names: string[], width: number): RecordMaker {
  const count = Math.min(names.length, width)
  return (values) => {
    const record: Record<string, unknown> = {}
    for (let k = 0; k < count; k++) setOwn(record, names[k], values[k])
    return record
  }
}

/** `record[key] = value` as an own data property, `__proto__` included. */
function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    record[key] = value
  }
}
