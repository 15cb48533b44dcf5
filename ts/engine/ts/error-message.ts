/** The message of a thrown value, for a fault's `detail`. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
