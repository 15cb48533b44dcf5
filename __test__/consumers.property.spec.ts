import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { type ItemError, type Stream, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { makeTempDir } from './support/temp'

/**
 * The ways of taking a stream's items run the chain by different paths (`for…of` runs the stages
 * itself and hands each item straight to the loop; `toArray`, `count` and `forEach` hand items
 * straight to their consumer and run on over the batch; `for await…of` and `reduce` go through the
 * iteration's queue). On random chains over random files, with bad records and throwing callbacks,
 * every way must give the same items in the same order and meet the same errors at the same
 * records.
 */

/** One chain operation; callbacks fail on items whose key falls on `fails`. */
type Operation =
  | { op: 'filter'; modulo: number; fails: number }
  | { op: 'transform'; tag: number; fails: number }
  | { op: 'flatMap'; copies: number; fails: number }
  | { op: 'limit'; n: number }
  | { op: 'skip'; n: number }
  | { op: 'batch'; size: number }
  | { op: 'tap'; fails: number }

/** What an item error is compared by: where it arose and at which record. */
type SeenError = Pick<ItemError, 'code' | 'kind' | 'stage' | 'stageIndex' | 'line' | 'byteOffset' | 'recordIndex'>

const NEVER = -1

/** A number for any item, the same for equal items, to decide filters and failures by. */
function keyOf(item: unknown): number {
  const text = JSON.stringify(item) ?? ''
  let hash = 7
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) % 1000003
  return hash
}

function fail(item: unknown, fails: number, modulo = 7): void {
  if (fails !== NEVER && keyOf(item) % modulo === fails) throw new Error(`failed on ${JSON.stringify(item)}`)
}

function chain(source: Stream<unknown>, operations: readonly Operation[]): Stream<unknown> {
  let s = source
  for (const o of operations) {
    switch (o.op) {
      case 'filter':
        s = s.filter((item) => {
          fail(item, o.fails, 11)
          return keyOf(item) % o.modulo !== 0
        })
        break
      case 'transform':
        s = s.transform((item) => {
          fail(item, o.fails)
          return { of: item, tag: o.tag }
        })
        break
      case 'flatMap':
        s = s.flatMap((item) => {
          fail(item, o.fails, 13)
          return Array.from({ length: (keyOf(item) % (o.copies + 1)) as number }, (_, k) => ({ copy: k, of: item }))
        })
        break
      case 'limit':
        s = s.limit(o.n)
        break
      case 'skip':
        s = s.skip(o.n)
        break
      case 'batch':
        s = s.batch(o.size)
        break
      case 'tap':
        s = s.tap((item) => fail(item, o.fails, 5))
        break
    }
  }
  return s
}

const fails = fc.oneof(fc.constant(NEVER), fc.integer({ min: 0, max: 4 }))
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ op: fc.constant('filter' as const), modulo: fc.integer({ min: 2, max: 5 }), fails }),
  fc.record({ op: fc.constant('transform' as const), tag: fc.integer({ min: 0, max: 9 }), fails }),
  fc.record({ op: fc.constant('flatMap' as const), copies: fc.integer({ min: 0, max: 3 }), fails }),
  fc.record({ op: fc.constant('limit' as const), n: fc.integer({ min: 0, max: 150 }) }),
  fc.record({ op: fc.constant('skip' as const), n: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ op: fc.constant('batch' as const), size: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ op: fc.constant('tap' as const), fails }),
)

/** A JSON Lines file of `count` records with a bad line wherever `bad` says, and a replacement policy. */
const input = fc.record({
  count: fc.integer({ min: 0, max: 400 }),
  bad: fc.array(fc.integer({ min: 0, max: 399 }), { maxLength: 6 }),
  operations: fc.array(operation, { maxLength: 5 }),
  batchSize: fc.constantFrom(1, 3, 64, 1000),
  /** What the error handler does: drop the item, or replace it with a marker. */
  replace: fc.boolean(),
})

type Way = 'for-of' | 'for-await' | 'toArray' | 'forEach' | 'count' | 'reduce'
const WAYS: readonly Way[] = ['for-of', 'for-await', 'toArray', 'forEach', 'count', 'reduce']

describe.each(ENGINES)('every way of taking a stream agrees (%s engine)', (engine) => {
  const tmp = makeTempDir('ringstream-consumers-')
  afterAll(() => tmp.remove())
  let fileNumber = 0

  async function take(way: Way, s: Stream<unknown>): Promise<unknown[] | number> {
    switch (way) {
      case 'for-of':
        return [...s]
      case 'for-await': {
        const items: unknown[] = []
        for await (const item of s) items.push(item)
        return items
      }
      case 'toArray':
        return s.toArray()
      case 'forEach': {
        const items: unknown[] = []
        await s.forEach((item) => void items.push(item))
        return items
      }
      case 'count':
        return s.count()
      case 'reduce':
        return s.reduce((items: unknown[], item) => [...items, item], [])
    }
  }

  it('gives the same items and errors by every way', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ({ count, bad, operations, batchSize, replace }) => {
        const lines = Array.from({ length: count }, (_, id) => (bad.includes(id) ? `{"id": ${id},` : JSON.stringify({ id })))
        const path = tmp.file(`input-${fileNumber++}.jsonl`, lines.map((line) => `${line}\n`).join(''))
        const results = new Map<Way, { items: unknown[] | number; errors: SeenError[] }>()
        for (const way of WAYS) {
          const errors: SeenError[] = []
          const onError = (e: ItemError) => {
            errors.push({ code: e.code, kind: e.kind, stage: e.stage, stageIndex: e.stageIndex, line: e.line, byteOffset: e.byteOffset, recordIndex: e.recordIndex })
            return replace ? { replaced: e.recordIndex } : undefined
          }
          const items = await take(way, chain(stream<unknown>(path, { engine, batchSize, onError }), operations))
          results.set(way, { items, errors })
        }
        const reference = results.get('for-of')
        if (reference === undefined || typeof reference.items === 'number') throw new Error('for…of gives items')
        for (const way of WAYS) {
          const result = results.get(way)
          expect(result?.items, way).toEqual(way === 'count' ? reference.items.length : reference.items)
          expect(result?.errors, way).toEqual(reference.errors)
        }
      }),
      { numRuns: 60 },
    )
  })
})
