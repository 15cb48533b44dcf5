import { loadNativeEngine } from '../../ts/engine/native-engine'

export type EngineName = 'ts' | 'native'

/**
 * The engines every behaviour test runs on. The TypeScript engine always; the native engine as
 * soon as its binary loads on this machine, so the whole suite holds it to the same behaviour
 * without any test changing. `RINGSTREAM_TEST_ENGINES=ts` (a comma-separated list) narrows the
 * list, e.g. to bisect a difference between engines.
 */
export const ENGINES: readonly EngineName[] = selectEngines()

function selectEngines(): EngineName[] {
  const available: EngineName[] = ['ts']
  if (loadNativeEngine().engine !== null) available.push('native')
  const wanted = process.env.RINGSTREAM_TEST_ENGINES
  if (wanted === undefined || wanted === '') return available
  const names = wanted.split(',').map((s) => s.trim())
  for (const name of names) {
    if (name !== 'ts' && name !== 'native') throw new Error(`RINGSTREAM_TEST_ENGINES: unknown engine ${JSON.stringify(name)}`)
    if (!available.includes(name)) throw new Error(`RINGSTREAM_TEST_ENGINES asks for the ${name} engine, which does not load here: ${loadNativeEngine().reason}`)
  }
  return available.filter((e) => names.includes(e))
}
