// JpegError: every way decodeJpeg refuses a file, with the byte offset where the problem was seen.

export type JpegErrorKind =
  /** The file ends before the image is complete. */
  | 'truncated'
  /** The bytes break the JPEG syntax (bad marker, bad table, bad Huffman code...). */
  | 'corrupt'
  /** Valid JPEG, but a variant this decoder does not handle (arithmetic coding, 12-bit, lossless...). */
  | 'unsupported'
  /** The image is larger than the decoder is willing to allocate. */
  | 'too-large';

export class JpegError extends Error {
  override readonly name = 'JpegError';
  readonly kind: JpegErrorKind;
  /** Byte offset in the file where the problem was detected. */
  readonly offset: number;

  constructor(kind: JpegErrorKind, message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.kind = kind;
    this.offset = offset;
  }
}
