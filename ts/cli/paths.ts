import { isAbsolute, relative, sep } from 'node:path'

/** A path as the user would type it: relative to the working folder when it lies inside it. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  if (!isAbsolute(path)) return path
  const rel = relative(cwd, path)
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? path : rel
}
