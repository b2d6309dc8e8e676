import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { registerAttackCommands } from './attack.js';
import { registerDataCommands } from './data.js';
import { registerDiffCommand } from './diff.js';
import { registerEvaluateCommand } from './evaluate.js';
import { registerFlCommands } from './fl.js';
import { registerIntegrityCommands } from './integrity.js';
import { registerRegistryCommands } from './registry.js';
import { registerScanCommand } from './scan.js';
import { registerTrainCommand } from './train.js';

/** Every top-level command group registers itself here. */
export function registerCommands(program: Command, ctx: CommandContext): void {
  registerDataCommands(program, ctx);
  registerTrainCommand(program, ctx);
  registerEvaluateCommand(program, ctx);
  registerScanCommand(program, ctx);
  registerAttackCommands(program, ctx);
  registerFlCommands(program, ctx);
  registerIntegrityCommands(program, ctx);
  registerDiffCommand(program, ctx);
  registerRegistryCommands(program, ctx);
}
