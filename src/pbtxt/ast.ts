// Syntax tree, positions and diagnostics of the config.pbtxt language core.

/** A place in the text: 0-based line and character (UTF-16 units) plus the absolute offset. */
export interface Position {
  line: number;
  character: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  range: Range;
  severity: Severity;
  message: string;
  /** Stable identifier of the rule, e.g. `unknown-field`, `dims-mismatch`. */
  code: string;
  fix?: QuickFix;
  /** Machine-readable facts a quick fix or a view may use (e.g. the dims the model file expects). */
  data?: Record<string, unknown>;
}

/** Syntax errors share the diagnostic shape; their code starts with `syntax`. */
export type SyntaxDiagnostic = Diagnostic;

/** `placeholder` is an unfilled template hole such as `${BATCH}`; its value is always undefined. */
export type ScalarKind = 'string' | 'integer' | 'float' | 'identifier' | 'placeholder';

export interface ScalarNode {
  kind: 'scalar';
  range: Range;
  scalarKind: ScalarKind;
  /** Source text of the value, sign included (for strings, every adjacent literal with quotes). */
  text: string;
  /**
   * Decoded value: the unescaped string, the identifier, a bigint for integers (sign applied),
   * a number for floats (sign applied). Undefined when the literal itself is malformed.
   */
  value: string | bigint | number | undefined;
  negative: boolean;
}

export interface ListNode {
  kind: 'list';
  range: Range;
  items: (ScalarNode | MessageNode)[];
  closed: boolean;
}

export interface MessageNode {
  kind: 'message';
  /** For the root: the whole text. For a nested body: from the opening to the closing bracket. */
  range: Range;
  fields: FieldNode[];
  /** `{` or `<`; undefined for the root. */
  open?: '{' | '<';
  closed: boolean;
}

export type ValueNode = ScalarNode | ListNode | MessageNode;

export interface FieldNode {
  kind: 'field';
  name: string;
  nameRange: Range;
  /** From the name to the end of the value (or the name alone when the value is missing). */
  range: Range;
  hasColon: boolean;
  value: ValueNode | undefined;
}

export interface Comment {
  range: Range;
  /** The text after `#`. */
  text: string;
}

export interface ParsedDocument {
  text: string;
  root: MessageNode;
  errors: SyntaxDiagnostic[];
  comments: Comment[];
  /** Maps an offset to a Position in O(log lines). */
  positionAt(offset: number): Position;
}

export function rangeContains(range: Range, offset: number): boolean {
  return offset >= range.start.offset && offset <= range.end.offset;
}
