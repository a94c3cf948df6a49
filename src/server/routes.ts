import { contract, IafaError, type CallName, type HttpMethod } from '../shared/contract';

export interface Route {
  name: CallName;
  method: HttpMethod;
  pattern: RegExp;
  params: string[];
}

function compile(name: CallName, method: HttpMethod, path: string): Route {
  const params: string[] = [];
  const rx = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, p: string) => {
    params.push(p);
    return '/([^/]+)';
  });
  return { name, method, pattern: new RegExp(`^${rx}/?$`), params };
}

/** Every contract call becomes a route (plus its aliases); literal paths win over parameterised ones. */
export function buildRoutes(): Route[] {
  const routes: Route[] = [];
  for (const name of Object.keys(contract) as CallName[]) {
    const { http } = contract[name];
    for (const p of [http.path, ...(http.aliases ?? [])]) routes.push(compile(name, http.method, p));
  }
  return routes.sort((a, b) => a.params.length - b.params.length);
}

export function matchRoute(
  routes: Route[],
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | null {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    route.params.forEach((p, i) => {
      params[p] = decodePathPart(m[i + 1]);
    });
    return { route, params };
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}

/** A path segment with its %-escapes decoded; a broken escape ("%zz", a cut UTF-8 sequence) is the client's error. */
function decodePathPart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new IafaError('validation', 'Malformed %-escape in the URL path.', { reason: 'bad_url' });
  }
}
