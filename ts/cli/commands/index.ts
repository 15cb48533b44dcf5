import type { CommandName } from '../args'
import type { Command } from '../command'
import { cat } from './cat'
import { count } from './count'
import { describe } from './describe'
import { head } from './head'
import { sample } from './sample'

/** Every command, in the order help lists them. */
export const COMMANDS: Readonly<Record<CommandName, Command>> = { head, count, describe, cat, sample }
