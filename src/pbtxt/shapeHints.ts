// Inlay hints for batching models: the shape clients actually send, with the implicit batch dimension.
import type { ParsedDocument, Position } from './ast';
import { MessageView, dimsOf } from './view';

export interface ShapeHint {
  /** Just after the last `dims` of the tensor. */
  position: Position;
  label: string;
  tooltip: string;
}

export function shapeHints(doc: ParsedDocument): ShapeHint[] {
  const cfg = new MessageView(doc.root);
  const maxBatch = cfg.int('max_batch_size') ?? 0;
  if (maxBatch <= 0) return [];
  const hints: ShapeHint[] = [];
  for (const kind of ['input', 'output'] as const) {
    for (const { node } of cfg.messages(kind)) {
      const dimsFields = node.fields('dims');
      const last = dimsFields[dimsFields.length - 1];
      const dims = dimsOf(node, 'dims');
      if (last === undefined || dims.length === 0) continue;
      hints.push({
        position: last.range.end,
        label: `→ [-1, ${dims.join(', ')}]`,
        tooltip: `With max_batch_size ${maxBatch}, clients send ${kind === 'input' ? 'this input' : 'and receive this output'} with a leading batch dimension of 1 to ${maxBatch}: shape [-1, ${dims.join(', ')}].`,
      });
    }
  }
  return hints;
}
