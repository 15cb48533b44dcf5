import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { delimiter as PATH_LIST_DELIMITER, join, resolve } from 'node:path'
import { RingstreamError } from '../errors'
import { MANIFEST_OPTION_NAMES, type StreamOptions } from '../options'
import { CATALOG_EXTENSIONS, MANIFEST_FILE, fileKind, isDataFileName } from './file-formats'

/** The manifest a dataset folder may hold in `ringstream.json`. */
export interface DatasetManifest {
  description?: string
  /** Options for reading the dataset; the caller's own options win over them. */
  options?: Partial<Pick<StreamOptions, 'format' | 'batchSize' | 'header' | 'delimiter' | 'quote' | 'types' | 'maxRecordBytes'>>
}

export interface CatalogEntry {
  /** A data file or a dataset folder. */
  path: string
  manifest: DatasetManifest | null
}

/** The catalog folders, in lookup order: `options.catalog`, else `RINGSTREAM_DATA` (a path list), else `./datasets`. */
export function catalogFolders(catalog: string | undefined): string[] {
  if (catalog !== undefined) return [resolve(catalog)]
  const fromEnv = process.env.RINGSTREAM_DATA
  if (fromEnv) return fromEnv.split(PATH_LIST_DELIMITER).filter(Boolean).map((p) => resolve(p))
  return [resolve('datasets')]
}

/** Finds a dataset by name; throws `ERR_NOT_FOUND` naming every place it looked and the closest names. */
export function findDataset(name: string, folders: string[]): CatalogEntry {
  const looked: string[] = [resolve(name)]
  for (const folder of folders) {
    const dir = join(folder, name)
    if (isDirectory(dir)) return { path: dir, manifest: readManifest(dir) }
    if (existsSync(dir)) return { path: dir, manifest: null }
    for (const ext of CATALOG_EXTENSIONS) {
      const file = `${dir}.${ext}`
      if (existsSync(file)) return { path: file, manifest: null }
    }
    looked.push(`${dir}`, `${dir}.{${CATALOG_EXTENSIONS.filter((e) => !e.includes('.')).join(',')}}[.gz|.zst]`)
  }
  const closest = closestNames(name, folders.flatMap(datasetNames))
  throw new RingstreamError('ERR_NOT_FOUND', `no file, folder or dataset named ${JSON.stringify(name)}; looked for:\n  ${looked.join('\n  ')}`, {
    hint: closest.length > 0 ? `did you mean ${closest.map((n) => JSON.stringify(n)).join(' or ')}?` : 'pass { catalog: dir } or set RINGSTREAM_DATA to the folder that holds your datasets',
  })
}

/** Reads `ringstream.json` of a dataset folder, if there is one. */
export function readManifest(dir: string): DatasetManifest | null {
  const file = join(dir, MANIFEST_FILE)
  if (!existsSync(file)) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (cause) {
    throw new RingstreamError('ERR_INVALID_ARGUMENT', `the manifest ${file} is not valid JSON`, { cause })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RingstreamError('ERR_INVALID_ARGUMENT', `the manifest ${file} must hold a JSON object`)
  }
  const manifest = parsed as { description?: unknown; options?: unknown }
  const options: Record<string, unknown> = {}
  if (manifest.options !== undefined) {
    if (manifest.options === null || typeof manifest.options !== 'object') {
      throw new RingstreamError('ERR_INVALID_ARGUMENT', `"options" in ${file} must be an object`)
    }
    for (const [key, value] of Object.entries(manifest.options)) {
      if (!(MANIFEST_OPTION_NAMES as readonly string[]).includes(key)) {
        throw new RingstreamError('ERR_INVALID_ARGUMENT', `${file} sets unknown option ${JSON.stringify(key)}; a manifest may set ${MANIFEST_OPTION_NAMES.join(', ')}`)
      }
      options[key] = value
    }
  }
  return {
    description: typeof manifest.description === 'string' ? manifest.description : undefined,
    options: options as DatasetManifest['options'],
  }
}

/** The names of the datasets a catalog folder offers. */
export function datasetNames(folder: string): string[] {
  let entries
  try {
    entries = readdirSync(folder, { withFileTypes: true })
  } catch {
    return []
  }
  const names: string[] = []
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue
    if (entry.isDirectory()) names.push(entry.name)
    else if (isDataFileName(entry.name)) names.push(stripDataExtensions(entry.name))
  }
  return [...new Set(names)].sort()
}

function stripDataExtensions(name: string): string {
  const kind = fileKind(name)
  let base = name
  if (kind.compression !== 'none') base = base.slice(0, base.lastIndexOf('.'))
  return base.slice(0, base.lastIndexOf('.'))
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Up to three names within a small edit distance of `name`, nearest first. */
export function closestNames(name: string, candidates: string[]): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3))
  return candidates
    .map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }))
    .filter(({ c, d }) => d <= limit || c.toLowerCase().includes(name.toLowerCase()))
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1))
    .slice(0, 3)
    .map(({ c }) => c)
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return prev[b.length]
}
