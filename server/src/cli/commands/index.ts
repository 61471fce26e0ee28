import type { Command } from 'commander';
import { registerServe } from './serve.js';

/** Every CLI command, one register function per wizard capability. Adding a command adds one line. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const commands: RegisterCommand[] = [registerServe];
