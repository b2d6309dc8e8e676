import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodeGrayscalePng } from '../../src/report/png.js';

describe('PNG encoder', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes signature, IHDR, IDAT and IEND with valid CRCs and the pixels as filtered scanlines', () => {
    const pixels = Uint8Array.from([0, 64, 128, 255, 10, 20]);
    const png = encodeGrayscalePng(pixels, 3, 2);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset, png.length);
    const chunks: { type: string; data: Uint8Array }[] = [];
    for (let at = 8; at < png.length; ) {
      const length = view.getUint32(at);
      const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
      const data = png.subarray(at + 8, at + 8 + length);
      expect(view.getUint32(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
      chunks.push({ type, data });
      at += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const header = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
    expect([header.getUint32(0), header.getUint32(4), chunks[0].data[8], chunks[0].data[9]]).toEqual([
      3, 2, 8, 0,
    ]);
    expect(Array.from(inflateSync(chunks[1].data))).toEqual([0, 0, 64, 128, 0, 255, 10, 20]);
  });

  it('rejects a pixel count that does not match the size', () => {
    expect(() => encodeGrayscalePng(new Uint8Array(5), 3, 2)).toThrow(RangeError);
  });
});
