export type { ProgressEvent, ProgressCallback } from './lib/progress.js';
export { buildSynthScene, SYNTH_PRIORS } from './lib/synth-scene.js';
export type { SynthScene, SynthObject, SynthPriors, SynthSection } from './lib/synth-scene.js';
export {
  generateSyntheticData,
  ensureSyntheticData,
  renderSynthScene,
  rasterizeSynthScene,
  SYNTH_MARKER,
  SYNTH_VERSION,
} from './lib/synth-generate.js';
export type { SynthOptions, SynthConfig, SynthSummary } from './lib/synth-generate.js';
export {
  SYNTH_CLIP_SCRIPT,
  buildSynthClipScene,
  checkSynthClipScript,
  renderSynthClip,
  synthClipStateAt,
  writeSynthClip,
} from './lib/synth-clip.js';
export type {
  SynthClipEvent,
  SynthClipFrame,
  SynthClipOptions,
  SynthClipScript,
  SynthClipState,
  SynthClipSummary,
  WriteSynthClipOptions,
} from './lib/synth-clip.js';
export { findFfmpeg, resetFfmpegCache } from './lib/ffmpeg.js';
export type { FfmpegLocation } from './lib/ffmpeg.js';
export { readVideoFrames } from './lib/video-reader.js';
export { saveVideoFrames, videoFrameName } from './lib/video-frames.js';
export type { ReadVideoOptions, RgbFrame } from './lib/video-reader.js';
export { openVideoWriter } from './lib/video-writer.js';
export type { VideoWriter, VideoWriterOptions } from './lib/video-writer.js';
export { Y4mWriter, rgbToYuv420p } from './lib/y4m.js';
export { prepareData, formatPrepareReport } from './lib/prepare-data.js';
export { checkOutputDir, checkReplaceable, PREPARED_MARKER } from './lib/output-dir.js';
export type { PrepareDataOptions, PrepareDataReport } from './lib/prepare-data.js';
export { parseRawLabels, readRawLabels, cleanRecord } from './lib/raw-labels.js';
export type { RawRecord, CleanRecord } from './lib/raw-labels.js';
export { RecordIssues, ISSUE_ACTION } from './lib/record-issues.js';
export type { RecordIssueKind } from './lib/record-issues.js';
export { selectDiet } from './lib/diet.js';
export { splitTrainVal } from './lib/split.js';
export type { TrainValSplit } from './lib/split.js';
export { linkOrCopy, linkOrCopySync } from './lib/link-file.js';
export type { LinkMode } from './lib/link-file.js';
export { countClasses, formatClassCounts } from './lib/class-counts.js';
export { formatFixedPy, yoloLabelText } from './lib/yolo-format.js';
export { letterboxSample } from './lib/letterbox.js';
// The pure image geometry lives in @vigil/core (browser-safe, shared with @vigil/detector); re-exported for callers.
export { letterbox, letterboxGeometry, padImage, resizeBilinear, resizeArea, resizeLongSide, rectBatchShapes } from '@vigil/core';
export type { LetterboxOptions, LetterboxGeometry, LetterboxResult, RectBatches } from '@vigil/core';
export { listImageFiles, listMediaFiles, listSourceFiles, hasImageExtension, hasVideoExtension, imageToLabelPath, IMAGE_FORMATS, VIDEO_FORMATS } from './lib/discover.js';
export { loadDatasetYaml, parseDatasetYaml, datasetSources } from './lib/dataset-yaml.js';
export type { DatasetConfig, DatasetSplit } from './lib/dataset-yaml.js';
export { checkDataset, formatDatasetReport, DATASET_ISSUE_ACTION } from './lib/check-dataset.js';
export type { DatasetReport, SplitCheck, DuplicateImageGroup, IssueCount, DatasetIssueKind, CheckDatasetOptions } from './lib/check-dataset.js';
export { parseLabelText } from './lib/label-file.js';
export type { ParsedLabelFile, LabelProblem, LabelProblemKind } from './lib/label-file.js';
export { decodeBmp, encodeBmp, isBmp, parseBmpHeader } from './lib/bmp.js';
export type { BmpHeader, DecodedBmp } from './lib/bmp.js';
export { readImageMeta, openImage } from './lib/image-source.js';
export type { ImageMeta } from './lib/image-source.js';
export { verifyLabels } from './lib/verify-labels.js';
export type { VerifiedLabels, VerifyStats } from './lib/verify-labels.js';
export { loadImage } from './lib/load-image.js';
export { decodeImage } from './lib/decode-image.js';
export type { LoadedImage } from './lib/load-image.js';
export { epochSampleIndices } from './lib/sampler.js';
export { collateBatch } from './lib/collate.js';
export type { BatchData } from './lib/collate.js';
export { YoloDataset } from './lib/yolo-dataset.js';
export type { YoloDatasetOptions, SampleShapes, LoadedSample, AugmentSample, AugmentFn, Batch, BatchOptions } from './lib/yolo-dataset.js';
export { plotBatch, savePlotBatch, detectionsToTargets, PLOT_PALETTE } from './lib/plot-batch.js';
export { labelsChart } from './lib/labels-chart.js';
export { renderChart, svgToPng, writeChart, writeSvgImage, CHART_FONT, CHART_FONT_FILES } from './lib/chart-image.js';
export type { PlotBatchOptions } from './lib/plot-batch.js';
export { readImageSize, readImageSizeSync, parseImageSize } from './lib/image-size.js';
export { checkImageBytes, checkImageFile, checkImageFileSync, MIN_IMAGE_SIDE, oneLine } from './lib/image-check.js';
export type { ImageCheck, ImageProblemKind } from './lib/image-check.js';
export type { ImageSize } from './lib/image-size.js';
export type { MediaFiles } from './lib/discover.js';
export { drawDetections, drawDetectionsRgb, saveDetectionsImage } from './lib/draw-detections.js';
export type { DrawBox } from './lib/draw-detections.js';
export { resolveDataRoot, defaultSynthDir, COMPETITION_DATA_ROOT } from './lib/data-root.js';
export type { DataRoot } from './lib/data-root.js';
