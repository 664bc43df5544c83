// Turns a byte stream into complete lines, holding back a partial last line until its end arrives.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /** @param maxLineChars a longer line is handed on in pieces of this size, so output without newlines cannot grow without bound. */
  constructor(private readonly maxLineChars = 1024 * 1024) {}

  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    // Output that never ends a line is handed on in pieces rather than held without bound.
    while (this.partial.length > this.maxLineChars) {
      lines.push(this.partial.slice(0, this.maxLineChars));
      this.partial = this.partial.slice(this.maxLineChars);
    }
    return lines;
  }

  /** The partial last line, when the stream ends without a newline. */
  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : [rest];
  }
}
