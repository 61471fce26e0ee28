import type { Command } from 'commander';
import { registerBuild } from './build.js';
import { registerCert } from './cert.js';
import { registerDb } from './db.js';
import { registerInspect } from './inspect.js';
import { registerIso } from './iso.js';
import { registerServe } from './serve.js';
import { registerSyslog } from './syslog.js';
import { registerTenants } from './tenants.js';
import { registerVerify } from './verify.js';

/** Every CLI command, one register function per wizard capability. Adding a command adds one line. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const commands: RegisterCommand[] = [
  registerServe,
  registerBuild,
  registerInspect,
  registerVerify,
  registerCert,
  registerDb,
  registerIso,
  registerSyslog,
  registerTenants,
];
