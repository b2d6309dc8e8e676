import { share } from './threads';

// im2col / col2im for NCHW images. Column layout: one row per output position (b, oy, ox), in that order;
// one column per filter tap (c, ky, kx), in that order. So cols is [batch·outH·outW, channels·kh·kw] and a
// convolution is cols · Wᵀ with W stored [filters, channels·kh·kw], as the conv weights are.

/** Output extent of a convolution along one axis. */
function outExtent(size: i32, kernel: i32, stride: i32, pad: i32): i32 {
  return (size + 2 * pad - kernel) / stride + 1;
}

/** Fills this thread's rows of cols from the input batch; taps that fall in the padding are 0. */
export function im2col(
  input: usize,
  cols: usize,
  batch: i32,
  channels: i32,
  height: i32,
  width: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  ph: i32,
  pw: i32,
  tid: i32,
  threads: i32,
): void {
  const outH = outExtent(height, kh, sh, ph);
  const outW = outExtent(width, kw, sw, pw);
  const positions = outH * outW;
  const r1 = share(batch * positions, tid + 1, threads);
  let out = cols + ((<usize>share(batch * positions, tid, threads) * <usize>(channels * kh * kw)) << 2);
  for (let r = share(batch * positions, tid, threads); r < r1; r++) {
    const b = r / positions;
    const oy = (r % positions) / outW;
    const ox = r % outW;
    for (let c = 0; c < channels; c++) {
      const plane = input + ((<usize>(b * channels + c) * <usize>(height * width)) << 2);
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - ph + ky;
        const line = plane + ((<usize>(iy * width)) << 2);
        for (let kx = 0; kx < kw; kx++) {
          const ix = ox * sw - pw + kx;
          const inside = <u32>iy < <u32>height && <u32>ix < <u32>width;
          store<f32>(out, inside ? load<f32>(line + ((<usize>ix) << 2)) : 0);
          out += 4;
        }
      }
    }
  }
}

/** Adds every tap of cols back onto the input position it was read from; threads split (image, channel) planes. */
export function col2im(
  cols: usize,
  input: usize,
  batch: i32,
  channels: i32,
  height: i32,
  width: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  ph: i32,
  pw: i32,
  tid: i32,
  threads: i32,
): void {
  const outH = outExtent(height, kh, sh, ph);
  const outW = outExtent(width, kw, sw, pw);
  const taps = channels * kh * kw;
  const p1 = share(batch * channels, tid + 1, threads);
  for (let p = share(batch * channels, tid, threads); p < p1; p++) {
    const b = p / channels;
    const c = p % channels;
    const plane = input + ((<usize>p * <usize>(height * width)) << 2);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const row = <usize>((b * outH + oy) * outW + ox);
        let src = cols + ((row * <usize>taps + <usize>(c * kh * kw)) << 2);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - ph + ky;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pw + kx;
            if (<u32>iy < <u32>height && <u32>ix < <u32>width) {
              const at = plane + ((<usize>(iy * width + ix)) << 2);
              store<f32>(at, load<f32>(at) + load<f32>(src));
            }
            src += 4;
          }
        }
      }
    }
  }
}
