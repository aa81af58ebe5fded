import { describe, expect, it } from 'vitest';
import { exchangeMic, priceUnit, shortestFloat32 } from './yahoo-units.js';

describe('shortestFloat32', () => {
  it('undoes widened 32-bit floats', () => {
    expect(shortestFloat32(129.0399932861328)).toBe(129.04);
    expect(shortestFloat32(7200.17431640625)).toBe(7200.1743);
  });

  it('keeps numbers that are not 32-bit floats', () => {
    expect(shortestFloat32(244.6)).toBe(244.6);
    expect(shortestFloat32(0.1)).toBe(0.1);
  });

  it('keeps integers', () => {
    expect(shortestFloat32(135480400)).toBe(135480400);
  });
});

describe('priceUnit', () => {
  it('turns pence into pounds', () => {
    const unit = priceUnit('GBp', 'USD');
    expect(unit.currency).toBe('GBP');
    expect(unit.scale(1259.5)).toBe(12.595);
  });

  it('keeps major currencies', () => {
    const unit = priceUnit('EUR', 'USD');
    expect(unit.currency).toBe('EUR');
    expect(unit.scale(34.45)).toBe(34.45);
  });

  it('falls back without a code', () => {
    expect(priceUnit(undefined, 'JPY').currency).toBe('JPY');
  });
});

describe('exchangeMic', () => {
  it('maps Nasdaq and leaves composites out', () => {
    expect(exchangeMic('NMS')).toBe('XNAS');
    expect(exchangeMic('CCC')).toBeNull();
    expect(exchangeMic(undefined)).toBeNull();
  });
});
