/**
 * Two deliberately plain forward passes over one sample, written independently of the code under test, to
 * check that a converted model computes the same function as the original:
 * - `forwardAntidote`: our semantics — NCHW images, OIHW conv kernels, symmetric zero padding, dense [in, out],
 *   flatten in (c, h, w) order.
 * - `forwardTf`: TensorFlow/Keras semantics read straight from Keras layer configs — NHWC (or NCHW with
 *   data_format channels_first) images, HWIO kernels, TF's 'same' padding (odd padding goes after).
 */
import type { ModelSnapshot } from '../../src/models/architecture.js';

/** One sample without the batch axis. */
export interface Activation {
  shape: number[];
  data: Float32Array;
}

export interface KerasLayerDef {
  class_name: string;
  config: Record<string, unknown>;
}

export interface TfWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export function forwardAntidote(snapshot: ModelSnapshot, input: Float32Array): Float32Array {
  const arch = snapshot.architecture;
  if (arch.standardization !== undefined)
    throw new Error('forwardAntidote: standardization is not implemented');
  const param = (i: number, kind: 'weight' | 'bias'): Float32Array | undefined =>
    snapshot.weights.get(`layers.${i}.${kind}`)?.data;
  let x: Activation = { shape: [...arch.inputShape], data: Float32Array.from(input) };
  arch.layers.forEach((layer, i) => {
    switch (layer.type) {
      case 'dense':
        x = dense(x, param(i, 'weight')!, param(i, 'bias'), layer.units);
        break;
      case 'conv2d': {
        const [c, h, w] = x.shape;
        const [kh, kw] = layer.kernelSize;
        const [sh, sw] = layer.stride;
        const [ph, pw] = layer.padding;
        const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
        const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
        const weight = param(i, 'weight')!;
        const bias = param(i, 'bias');
        const out = new Float32Array(layer.filters * oh * ow);
        for (let o = 0; o < layer.filters; o++) {
          for (let y = 0; y < oh; y++) {
            for (let xx = 0; xx < ow; xx++) {
              let sum = bias?.[o] ?? 0;
              for (let ci = 0; ci < c; ci++) {
                for (let ky = 0; ky < kh; ky++) {
                  for (let kx = 0; kx < kw; kx++) {
                    const iy = y * sh + ky - ph;
                    const ix = xx * sw + kx - pw;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                    sum += x.data[(ci * h + iy) * w + ix] * weight[((o * c + ci) * kh + ky) * kw + kx];
                  }
                }
              }
              out[(o * oh + y) * ow + xx] = sum;
            }
          }
        }
        x = { shape: [layer.filters, oh, ow], data: out };
        break;
      }
      case 'maxpool2d': {
        const [c, h, w] = x.shape;
        const [kh, kw] = layer.poolSize;
        const [sh, sw] = layer.stride;
        const oh = Math.floor((h - kh) / sh) + 1;
        const ow = Math.floor((w - kw) / sw) + 1;
        const out = new Float32Array(c * oh * ow);
        for (let ci = 0; ci < c; ci++) {
          for (let y = 0; y < oh; y++) {
            for (let xx = 0; xx < ow; xx++) {
              let best = Number.NEGATIVE_INFINITY;
              for (let ky = 0; ky < kh; ky++) {
                for (let kx = 0; kx < kw; kx++) {
                  best = Math.max(best, x.data[(ci * h + y * sh + ky) * w + xx * sw + kx]);
                }
              }
              out[(ci * oh + y) * ow + xx] = best;
            }
          }
        }
        x = { shape: [c, oh, ow], data: out };
        break;
      }
      case 'flatten':
        x = { shape: [x.data.length], data: x.data };
        break;
      default:
        x = activate(x, layer.type);
    }
  });
  return x.data;
}

export function forwardTf(layers: KerasLayerDef[], weights: TfWeight[], input: Activation): Float32Array {
  const byName = new Map(weights.map((w) => [w.name.split('/').slice(-2).join('/'), w.data]));
  let x: Activation = { shape: [...input.shape], data: Float32Array.from(input.data) };
  for (const { class_name: cls, config } of layers) {
    const name = config.name as string;
    switch (cls) {
      case 'InputLayer':
      case 'Dropout':
        break;
      case 'Dense':
        x = dense(x, byName.get(`${name}/kernel`)!, byName.get(`${name}/bias`), config.units as number);
        x = activate(x, (config.activation as string | undefined) ?? 'linear');
        break;
      case 'Conv2D':
      case 'MaxPooling2D':
        x = tfSpatial(x, cls, config, byName.get(`${name}/kernel`), byName.get(`${name}/bias`));
        if (cls === 'Conv2D') x = activate(x, (config.activation as string | undefined) ?? 'linear');
        break;
      case 'Flatten':
        if (config.data_format === 'channels_first' && x.shape.length === 3) {
          // Keras moves axis 1 (after batch) last before flattening: [a, b, c] → [b, c, a].
          const [a, b, c] = x.shape;
          const out = new Float32Array(x.data.length);
          for (let i = 0; i < a; i++) {
            for (let j = 0; j < b; j++) {
              for (let k = 0; k < c; k++) out[(j * c + k) * a + i] = x.data[(i * b + j) * c + k];
            }
          }
          x = { shape: [b, c, a], data: out };
        }
        x = { shape: [x.data.length], data: x.data };
        break;
      case 'Activation':
        x = activate(x, config.activation as string);
        break;
      case 'ReLU':
        x = activate(x, 'relu');
        break;
      case 'Softmax':
        x = activate(x, 'softmax');
        break;
      default:
        throw new Error(`forwardTf: no ${cls}`);
    }
  }
  return x.data;
}

/** TF Conv2D / MaxPooling2D on one image in either data format, with TF's padding rules. */
function tfSpatial(
  x: Activation,
  cls: string,
  config: Record<string, unknown>,
  kernel: Float32Array | undefined,
  bias: Float32Array | undefined,
): Activation {
  const channelsLast = (config.data_format ?? 'channels_last') === 'channels_last';
  const [h, w, c] = channelsLast ? x.shape : [x.shape[1], x.shape[2], x.shape[0]];
  const at = (y: number, xx: number, ci: number): number =>
    channelsLast ? x.data[(y * w + xx) * c + ci] : x.data[(ci * h + y) * w + xx];
  const pair = (v: unknown, fallback: number[]): number[] =>
    v === undefined || v === null ? fallback : typeof v === 'number' ? [v, v] : (v as number[]);
  const conv = cls === 'Conv2D';
  const [kh, kw] = pair(conv ? config.kernel_size : config.pool_size, [2, 2]);
  const [sh, sw] = pair(config.strides, conv ? [1, 1] : [kh, kw]);
  const same = config.padding === 'same';
  const oh = same ? Math.ceil(h / sh) : Math.floor((h - kh) / sh) + 1;
  const ow = same ? Math.ceil(w / sw) : Math.floor((w - kw) / sw) + 1;
  // TF 'same': total padding max((out - 1)·s + k - in, 0), the smaller half before.
  const top = same ? Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2) : 0;
  const left = same ? Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2) : 0;
  const oc = conv ? (config.filters as number) : c;
  const out = new Float32Array(oh * ow * oc);
  for (let y = 0; y < oh; y++) {
    for (let xx = 0; xx < ow; xx++) {
      for (let o = 0; o < oc; o++) {
        let acc = conv ? (bias?.[o] ?? 0) : Number.NEGATIVE_INFINITY;
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const iy = y * sh + ky - top;
            const ix = xx * sw + kx - left;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            if (!conv) acc = Math.max(acc, at(iy, ix, o));
            else
              for (let ci = 0; ci < c; ci++)
                acc += at(iy, ix, ci) * kernel![((ky * kw + kx) * c + ci) * oc + o];
          }
        }
        out[channelsLast ? (y * ow + xx) * oc + o : (o * oh + y) * ow + xx] = acc;
      }
    }
  }
  return { shape: channelsLast ? [oh, ow, oc] : [oc, oh, ow], data: out };
}

function dense(
  x: Activation,
  kernel: Float32Array,
  bias: Float32Array | undefined,
  units: number,
): Activation {
  const out = new Float32Array(units);
  for (let j = 0; j < units; j++) {
    let sum = bias?.[j] ?? 0;
    for (let i = 0; i < x.data.length; i++) sum += x.data[i] * kernel[i * units + j];
    out[j] = sum;
  }
  return { shape: [units], data: out };
}

function activate(x: Activation, name: string): Activation {
  const v = x.data;
  const out = new Float32Array(v.length);
  switch (name) {
    case 'linear':
      out.set(v);
      break;
    case 'relu':
      for (let i = 0; i < v.length; i++) out[i] = Math.max(0, v[i]);
      break;
    case 'sigmoid':
      for (let i = 0; i < v.length; i++) out[i] = 1 / (1 + Math.exp(-v[i]));
      break;
    case 'tanh':
      for (let i = 0; i < v.length; i++) out[i] = Math.tanh(v[i]);
      break;
    case 'softmax': {
      const max = Math.max(...v);
      let sum = 0;
      for (let i = 0; i < v.length; i++) sum += out[i] = Math.exp(v[i] - max);
      for (let i = 0; i < v.length; i++) out[i] /= sum;
      break;
    }
    default:
      throw new Error(`activate: no ${name}`);
  }
  return { shape: x.shape, data: out };
}
