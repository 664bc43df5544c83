// The entry of dist/inference.js (scripts/lazyBundles.json): Run Inference with its request files
// and history, and the load test. Activation registers them through registerInference and
// registerLoadTest; this module is required the first time one of them is used.
export { createInferenceFeature } from './inferenceFeature';
export { createLoadTestFeature } from '../loadTest/loadTestFeature';
