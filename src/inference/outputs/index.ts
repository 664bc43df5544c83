// Post-processing of inference results for display, comparison and saving (no vscode import).
export * from './values';
export * from './histogram';
export * from './numericSummary';
export * from './classification';
export * from './bytesView';
export * from './imagePreview';
export * from './resultSummary';
export * from './save';
export * from './compare';
export * from './views';
