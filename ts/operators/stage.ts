/**
 * The protocol every chain operator implements. A `Stage` is an immutable description kept by a
 * `Stream`; each iteration calls `start()` for fresh per-iteration state, so two iterators of one
 * stream never share counters or buffers.
 *
 * Per item the pipeline calls `invoke` (the user's callback, which may return a promise), awaits
 * the result when it is a promise and iteration is async, then calls `settle` to decide what flows
 * on. Splitting the two lets one interpreter serve `for…of` and `for await…of`.
 */
export interface Stage {
  /** The public method name, used in errors (`'filter'`, `'transform'`, …). */
  readonly name: string
  start(control: StageControl): StageRun
}

export interface StageControl {
  /** Says that this stage will pass nothing more, so nothing upstream of it needs to run. */
  exhaust(): void
}

export interface StageRun {
  invoke(item: unknown): unknown
  /**
   * Returns the item to pass on or `DROP`; when `passesMany` is set, a `Many` of items to pass on
   * one by one (or `DROP`) instead.
   */
  settle(item: unknown, result: unknown): unknown
  /**
   * Set by stages whose `settle` passes a `Many` (`flatMap`): telling a `Many` from an item with
   * `instanceof` walked every record's prototype chain, a quarter of the time of the loop that
   * runs records through the stages.
   */
  readonly passesMany?: boolean
  /** At the end of the input: an item held back (a short batch), or `DROP`. */
  flush?(): unknown
}

/** What `settle`/`flush` return when nothing flows on. */
export const DROP: unique symbol = Symbol('ringstream.drop')

/** Several items to pass on, in order (from `flatMap`). */
export class Many {
  constructor(readonly items: Iterable<unknown>) {}
}

/** Passes the callback's result through unchanged; for stages whose work is all in `invoke`. */
export function passResult(_item: unknown, result: unknown): unknown {
  return result
}
