import type { RouteModule } from '../route-context.js';
import { certificateRoutes } from './certificate-routes.js';
import { configIsoRoutes } from './config-iso-routes.js';
import { databaseRoutes } from './database-routes.js';
import { deploymentRoutes } from './deployment-routes.js';
import { serviceAccountRoutes } from './service-account-routes.js';
import { syslogRoutes } from './syslog-routes.js';
import { tenantRoutes } from './tenant-routes.js';

/**
 * Every wizard capability's API, in wizard order. Adding a page adds one line here.
 */
export const routeModules: RouteModule[] = [
  deploymentRoutes,
  certificateRoutes,
  databaseRoutes,
  syslogRoutes,
  serviceAccountRoutes,
  configIsoRoutes,
  tenantRoutes,
];
