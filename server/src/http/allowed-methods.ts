import type { Router } from 'express';

/** The slice of Express's router internals (router 2.x) this reads; stable since Express 4. */
interface RouteLayer {
  route?: { methods: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The methods `router` answers on `path`, in a fixed order; empty when no route has that path.
 * Read from the routes themselves, so a 405's Allow header can never drift from what is served.
 */
export function allowedMethods(router: Router, path: string): string[] {
  const methods = new Set<string>();
  for (const layer of router.stack as unknown as RouteLayer[]) {
    if (!layer.route) continue;
    let matches: unknown;
    try {
      matches = layer.match(path);
    } catch {
      continue; // a malformed %-escape in a parameter: that route does not match it
    }
    if (!matches) continue;
    for (const [method, on] of Object.entries(layer.route.methods))
      if (on && method !== '_all') methods.add(method.toUpperCase());
  }
  // Express answers HEAD wherever it answers GET.
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort((a, b) => rank(a) - rank(b));
}

function rank(method: string): number {
  const i = ORDER.indexOf(method);
  return i === -1 ? ORDER.length : i;
}
