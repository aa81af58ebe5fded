import { describe, expect, it } from 'vitest';
import { RouteMethods } from './route-methods.js';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add('GET', '/api/quotes/:symbol');
  routes.add('HEAD', '/api/quotes/:symbol');
  routes.add('GET', '/api/quotes');

  it('lists the methods of a matching path', () => {
    expect(routes.allowed('/api/quotes/AAPL')).toEqual(['GET', 'HEAD']);
  });

  it('returns nothing for an unknown path', () => {
    expect(routes.allowed('/api/nothing')).toEqual([]);
  });

  it('ignores a catch-all route', () => {
    const withPreflight = new RouteMethods();
    withPreflight.add('GET', '/api/quotes');
    withPreflight.add('OPTIONS', '*');

    expect(withPreflight.allowed('/api/nothing')).toEqual([]);
    expect(withPreflight.allowed('/api/quotes')).toEqual(['GET']);
  });

  it('ignores a route added twice', () => {
    routes.add('GET', '/api/quotes');
    expect(routes.allowed('/api/quotes')).toEqual(['GET']);
  });
});
