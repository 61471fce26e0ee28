import type { DatabaseSettings } from '../../../../contract/database.js';
import type { KeyOrigin } from '../../core/keyDatabase/bind-configuration.js';
import type { WizardState } from '../wizard-state.js';
import '../database-section.js';
import './config-iso-sections.js';

/**
 * Which database an "it is empty, use it anyway" confirmation was given for: the settings, not the
 * host a connection happened to reach, so a failover does not lose it and another database does.
 */
export function databaseIdentity(settings: DatabaseSettings): string {
  return `${settings.type}:${settings.hosts.join(',')}/${settings.name}`;
}

/**
 * Where this session's master key comes from, for the key-database checks: a new deployment (with
 * the typed re-bind), or the imported ISO — whose empty database counts as confirmed when the admin
 * ticks the box now or did so for the database now configured.
 */
export function keyOriginOf(
  state: WizardState,
  { rebind = false, acceptEmptyDatabase = false }: { rebind?: boolean; acceptEmptyDatabase?: boolean } = {},
): KeyOrigin {
  const deployment = state.get('deployment')!;
  const loaded = deployment.imported?.loaded;
  if (deployment.origin === 'new' || !loaded) return { origin: 'new', rebind };
  const database = state.get('database');
  const confirmedBefore =
    database !== undefined &&
    deployment.emptyDatabaseAccepted?.identity === databaseIdentity(database.settings);
  return {
    origin: 'imported',
    iso: loaded.manifest,
    acceptEmptyDatabase: acceptEmptyDatabase || confirmedBefore,
    confirmedBy: 'wizard: "Use this empty database" ticked',
  };
}
