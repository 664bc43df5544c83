// The error every input reader throws: it names the input, and the message says where and what is wrong.

export class InputError extends Error {
  constructor(readonly input: string, readonly detail: string) {
    super(`input '${input}': ${detail}`);
    this.name = 'InputError';
  }
}
