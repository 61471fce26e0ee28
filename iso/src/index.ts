// ISO 9660 (ECMA-119) with Rock Ridge (SUSP/RRIP 1.12) and Joliet: a dependency-free writer and
// reader. See docs/iso-library.md for what is supported.
export { IsoError, type IsoErrorCode } from './errors.js';
export type {
  IsoReadableContent,
  IsoStreamedContent,
  IsoSyncReader,
  IsoTreeDir,
  IsoTreeEntry,
  IsoTreeFile,
  IsoWriteOptions,
} from './iso-tree.js';
export { type IsoEntryInfo, type IsoImage, type OpenIsoOptions, openIsoImage } from './reader.js';
export { buildIsoImage, writeIso, writeIsoSync } from './writer.js';
