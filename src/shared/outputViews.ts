// The result views the run-inference page draws: the types src/inference/outputs builds them with
// (src/inference/outputs/views.ts), imported type-only so the page and the host share one definition.
export type { Histogram as HistogramView, OutputView as OutputViewData, ResultComparison as ComparisonView } from '../inference/outputs/views';
