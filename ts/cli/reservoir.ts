/**
 * Reservoir sampling (Vitter's algorithm R): after `offer` has seen n items, the reservoir holds
 * `size` of them, each of the n equally likely to be among them, using memory for `size` items
 * only. `items()` returns them in the order they were offered.
 */
export class Reservoir<T> {
  private readonly kept: { index: number; item: T }[] = []
  private seen = 0

  constructor(
    private readonly size: number,
    private readonly random: () => number,
  ) {}

  offer(item: T): void {
    const index = this.seen++
    if (this.kept.length < this.size) {
      this.kept.push({ index, item })
      return
    }
    // Keep item i (0-based) with probability size / (i + 1), in place of a uniformly chosen one.
    const j = Math.floor(this.random() * (index + 1))
    if (j < this.size) this.kept[j] = { index, item }
  }

  /** How many items were offered. */
  get offered(): number {
    return this.seen
  }

  items(): T[] {
    return [...this.kept].sort((x, y) => x.index - y.index).map((k) => k.item)
  }
}
