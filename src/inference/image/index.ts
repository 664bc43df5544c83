// Public surface of image decoding and image_client.py-style preprocessing (host side, no vscode).
export { decodeImage, detectImageFormat, type ImageFormat } from './decode';
export { convert, luma } from './convert';
export { resizeBilinear } from './resize';
export { encodePngRgba, thumbnail } from './pngEncode';
export {
  preprocessImage, scalingProblem,
  type PreprocessSpec, type PreprocessedImage, type ChannelStats, type ImageScaling, type ImageFormatOrder,
} from './preprocess';
export { imageModelSpec, imageBatches, stackImages, ImageModelError, type ImageModelSpec } from './modelSpec';
export { buildImageRequests, type ImageRequest, type ImageRequestOptions } from './imageRequests';
export { loadImages, loadImageFile, listImageFiles, decodeImageFile, ImageFileError, MAX_IMAGE_FILE_BYTES, type LoadedImage } from './files';
export { ImageError, MAX_PIXELS, type DecodedImage, type Image8, type ImageMode } from './types';
