"""Reading photo and video files: formats, decoding (JPEG/HEIC/RAW/video), the folder
scanner, thumbnails and perceptual fingerprints."""
