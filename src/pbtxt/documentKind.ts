// Tells a Triton model configuration apart from other protobuf text files (those get syntax help only).
import { basename, dirname } from 'node:path';

const HEADER = /^#\s*proto-message:\s*(\S+)/m;

/**
 * True for `<model>/config.pbtxt`, `<model>/configs/<name>.pbtxt`, and files whose header says
 * `# proto-message: inference.ModelConfig` (or `ModelConfig`); false for other text protos.
 */
export function isModelConfigFile(path: string, text: string): boolean {
  const header = HEADER.exec(text.slice(0, 2000));
  if (header !== null) return header[1] === 'inference.ModelConfig' || header[1] === 'ModelConfig';
  const name = basename(path);
  if (name === 'config.pbtxt') return true;
  return name.endsWith('.pbtxt') && basename(dirname(path)) === 'configs';
}
