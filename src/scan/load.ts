/**
 * Loads what a scan reads: the data (missing values kept, so they become findings instead of load errors),
 * its source column pulled out of the features, and the trusted reference under the same options.
 */
import type { Dataset } from '../data/dataset.js';
import { type LoadOptions, loadDataset } from '../data/load.js';
import { extractSourceColumn } from '../defenses/detect/sources-column.js';
import { InputError } from '../errors.js';

export interface ScanInputOptions extends LoadOptions {
  /** Column naming each sample's source (annotator, contributor, batch); never used as a feature. */
  source?: string;
  /** Path of a trusted reference version of the dataset. */
  reference?: string;
}

export interface ScanInputs {
  /** The data the detectors see (without the source column). */
  dataset: Dataset;
  /** The data as loaded, every column included: what --fix writes back. */
  original: Dataset;
  sources?: string[];
  reference?: Dataset;
}

export function loadScanInputs(path: string, opts: ScanInputOptions = {}): ScanInputs {
  const { source, reference: referencePath, ...load } = opts;
  const original = loadWithSource(path, load, source, true);
  const inputs: ScanInputs = { dataset: original, original };
  if (source !== undefined) {
    const extracted = extractSourceColumn(original, source);
    inputs.dataset = extracted.dataset;
    inputs.sources = extracted.sources;
  }
  if (referencePath !== undefined) {
    const reference = loadWithSource(referencePath, load, source, false);
    const hasSource = source !== undefined && reference.encodings?.some((e) => e.column === source) === true;
    inputs.reference = hasSource ? extractSourceColumn(reference, source).dataset : reference;
  }
  return inputs;
}

/**
 * Loads with the source column one-hot encoded (so its values stay text, whatever they look like). When the
 * file lacks the column: an error naming it for the data, the plain table for the reference.
 */
function loadWithSource(
  path: string,
  load: LoadOptions,
  source: string | undefined,
  required: boolean,
): Dataset {
  const options: LoadOptions = { ...load, missing: 'keep' };
  if (source === undefined) return loadDataset(path, options);
  try {
    return loadDataset(path, { ...options, categorical: [...(load.categorical ?? []), source] });
  } catch (error) {
    const missingColumn =
      error instanceof InputError && error.problem.startsWith(`categorical column ${JSON.stringify(source)}`);
    if (!missingColumn) throw error;
    if (required) {
      throw new InputError(`no source column ${JSON.stringify(source)} (or it is the label column)`, {
        file: path,
        field: source,
      });
    }
    return loadDataset(path, options);
  }
}
