/** The configuration ISO (contract v1): build, read and verify, summarize. */
export { type BuiltConfigIso, buildConfigIso, configIsoFileName } from './build-config-iso.js';
export type { ConfigDocument, SyslogConfig } from './config-document.js';
export { buildTime, type ConfigIsoInput } from './config-iso-input.js';
export { FORMAT_VERSION, PATHS } from './layout.js';
export { type Manifest, sha256Hex } from './manifest.js';
export { type LoadedConfigIso, readConfigDirectory, readConfigIso } from './read-config-iso.js';
export { summarizeConfig } from './summarize-config.js';
