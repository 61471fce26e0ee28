import type { RouteModule } from '../route-context.js';

/**
 * Every wizard capability's API, in wizard order. Adding a page adds one line here.
 */
export const routeModules: RouteModule[] = [];
