// The data layer's public API: dataset types, loaders and writers, splits, preprocessing, bundled sets.
export { Rng } from '../engine/rng.js';
export {
  encodeNpzDataset,
  encodeSafetensorsDataset,
  loadNpzDataset,
  loadSafetensorsDataset,
  parseNpzDataset,
  parseSafetensorsDataset,
} from './array-dataset.js';
export {
  bundledPath,
  FASHION_MNIST_CLASSES,
  loadDigits,
  loadFashionMnist,
  loadFashionMnistSubset,
  SYSTEM_FASHION_MNIST_DIR,
  type TrainTest,
} from './bundled.js';
export { type CsvOptions, loadCsv, parseCsv, writeCsv } from './csv.js';
export type { CategoricalEncoding, Dataset } from './dataset.js';
export { sha256Hex } from './hash.js';
export { encodeIdx, type IdxArray, type IdxKind, parseIdx } from './idx.js';
export { BYTE_IMAGE_SCALE, encodeIdxDataset, type IdxDatasetOptions, loadIdxDataset } from './idx-dataset.js';
export { type DatasetInspection, type FeatureSummary, inspectDataset, inspectFile } from './inspect.js';
export { loadJsonl, parseJsonl, writeJsonl } from './jsonl.js';
export {
  type DatasetFormat,
  detectFormat,
  idxLabelsPath,
  type LoadOptions,
  loadDataset,
  saveDataset,
} from './load.js';
export {
  encodeNpy,
  encodeNpz,
  type NpyArray,
  type NpyInput,
  type NpyWriteOptions,
  parseNpy,
  parseNpz,
} from './npy.js';
export { asImages, fitStandardization, type Standardization, standardize } from './preprocess.js';
export {
  encodeSafetensors,
  parseSafetensors,
  parseSafetensorsRaw,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsRawFile,
  type SafetensorsRawTensor,
  type SafetensorsTensor,
} from './safetensors.js';
export { type Split, stratifiedKFold, stratifiedSplit, subset } from './split.js';
export type { MissingPolicy, TabularOptions } from './tabular.js';
export type { NumericArray } from './typed.js';
