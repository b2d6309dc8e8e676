import type { Command } from 'commander';
import type { Dataset } from '../data/dataset.js';
import { type LoadOptions, loadDataset } from '../data/load.js';

/** Options every command that reads a dataset shares. */
export interface DatasetCliOptions {
  label?: string;
  header: boolean;
}

export function addDatasetOptions(command: Command): Command {
  return command
    .option(
      '--label <column>',
      'label column: a name or a 0-based index (default: "label", else the last column)',
    )
    .option('--no-header', 'the CSV file has no header row (columns are named by position)');
}

/** A purely numeric --label is a column index, anything else a column name. */
export function loadOptions(o: DatasetCliOptions): LoadOptions {
  const label = o.label === undefined ? undefined : /^\d+$/.test(o.label) ? Number(o.label) : o.label;
  return { label, header: o.header };
}

export function loadDatasetFromCli(path: string, o: DatasetCliOptions): Dataset {
  return loadDataset(path, loadOptions(o));
}
