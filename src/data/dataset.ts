import type { Tensor } from '../engine/tensor.js';

/** How a categorical column of the source file was one-hot encoded into feature columns. */
export interface CategoricalEncoding {
  column: string;
  /** The categories in the order of their one-hot feature columns. */
  categories: string[];
  /** Index of the first one-hot feature column in `featureNames`. */
  firstFeature: number;
}

/** A labelled dataset: features `x` (n × d, or n × c × h × w for images) and integer labels `y` in [0, numClasses). */
export interface Dataset {
  x: Tensor;
  y: Int32Array;
  numClasses: number;
  /** Class names, index = label value (e.g. ['cat', 'dog'] or ['0', '1', ...]). */
  classNames?: string[];
  /** Feature names, one per column of the flattened features. */
  featureNames?: string[];
  /** One record per categorical source column that was one-hot encoded. */
  encodings?: CategoricalEncoding[];
  /** Stable sample identifiers (default: the 0-based index). */
  ids?: string[];
  /** For each sample, the 1-based line of the source file it came from (CSV/JSONL). */
  lines?: Int32Array;
  /** The label's name and 0-based position among the source file's columns (CSV/JSONL), for writers. */
  labelColumn?: { name: string; index: number };
  /** Source rows the loader skipped, by 1-based line (missing values under `missing: 'drop-rows'`, or a
   *  missing label under `missing: 'keep'`). */
  droppedLines?: Int32Array;
  /** `x` holds the raw source values times this factor (IDX images: 1/255); writers divide it back out. */
  valueScale?: number;
  /** Where the data came from. */
  source?: { uri: string; sha256: string; format: string };
}
