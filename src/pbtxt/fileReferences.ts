// The file names a config refers to (labels, model file, warmup and initial-state data), with where
// Triton looks for each: the targets of document links.
import type { MessageNode, Range, ValueNode } from './ast';
import type { ModelFiles } from './repositoryModel';
import { FILE_FIELDS } from './repositoryModel';
import type { MessageType, Schema } from './schema';

export interface FileReference {
  /** The string literal, quotes included. */
  range: Range;
  name: string;
  /** The folder Triton resolves the name in. */
  place: keyof ModelFiles;
}

export function fileReferences(root: MessageNode, schema: Schema): FileReference[] {
  const out: FileReference[] = [];
  const visit = (node: MessageNode, type: MessageType): void => {
    const owner = type.fullName.replace(/^inference\./, '');
    for (const f of node.fields) {
      const info = type.fields.get(f.name);
      if (info === undefined || f.value === undefined) continue;
      const values: ValueNode[] = f.value.kind === 'list' ? f.value.items : [f.value];
      const place = FILE_FIELDS[`${owner}.${f.name}`];
      for (const v of values) {
        if (place !== undefined && v.kind === 'scalar' && v.scalarKind === 'string' && typeof v.value === 'string' && v.value !== '') {
          out.push({ range: v.range, name: v.value, place });
        } else if (v.kind === 'message' && info.type.kind === 'message') {
          visit(v, info.type.messageType);
        }
      }
    }
  };
  visit(root, schema.root);
  return out;
}
