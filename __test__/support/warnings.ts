/** Records the process warnings emitted while it listens. */
export interface WarningRecorder {
  readonly warnings: Error[]
  /** Waits until warnings emitted so far are delivered (Node emits them on a later tick). */
  settle(): Promise<void>
  stop(): void
}

export function recordWarnings(): WarningRecorder {
  const warnings: Error[] = []
  const listener = (warning: Error): void => {
    warnings.push(warning)
  }
  process.on('warning', listener)
  return {
    warnings,
    settle: () => new Promise((resolve) => setImmediate(resolve)),
    stop: () => {
      process.off('warning', listener)
    },
  }
}

/** The `code` a warning was emitted with, if any. */
export function warningCode(warning: Error): unknown {
  return (warning as Error & { code?: unknown }).code
}
