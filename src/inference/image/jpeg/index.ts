// Public surface of the JPEG decoder.
export { decodeJpeg, type JpegImage } from './decodeJpeg';
export { JpegError, type JpegErrorKind } from './jpegError';
export { DEFAULT_LIMITS, type JpegLimits } from './frame';
