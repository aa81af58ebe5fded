import FindMyWay from 'find-my-way';

const noop = () => undefined;

/**
 * A second router holding only route patterns and their methods, so a
 * request that matched no route can be told apart: a path served under
 * another method gets 405 with `Allow`, any other path 404.
 */
export class RouteMethods {
  private readonly router = FindMyWay();
  private readonly methods = new Set<string>();

  add(method: string, url: string): void {
    // A catch-all route, such as the CORS plugin's OPTIONS * for preflights,
    // matches every path, so it would turn each 404 into a 405.
    if (url === '*' || url === '/*') return;
    if (this.router.hasRoute(method as FindMyWay.HTTPMethod, url)) return;
    this.router.on(method as FindMyWay.HTTPMethod, url, noop);
    this.methods.add(method);
  }

  /** Returns the methods a path is served under, empty when no route matches it. */
  allowed(path: string): string[] {
    return [...this.methods].filter(
      (method) =>
        this.router.find(method as FindMyWay.HTTPMethod, path) !== null,
    );
  }
}
