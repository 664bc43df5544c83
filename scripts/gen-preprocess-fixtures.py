#!/usr/bin/env python3
"""Writes the image fixtures under test/fixtures/images/ and what PIL + numpy make of them.

For every image: PIL's mode and size after Image.open, its convert("L") and convert("RGB") pixels,
and the tensors image_client.py's preprocess() produces for several specs (.npy). The unit tests
compare the TypeScript decoders and preprocessing against these files; Python is not needed then.

Needs Debian's python3-pil and python3-numpy: apt-get install -y python3-pil python3-numpy
Usage: /usr/bin/python3 scripts/gen-preprocess-fixtures.py
"""
import io
import json
import os
import shutil
import struct
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "images")
OUT = os.path.join(ROOT, "pil")
JPEG_DIR = os.path.join(ROOT, "jpeg")
rng = np.random.default_rng(20261206)


# ---------------------------------------------------------------- image_client.py's preprocess, verbatim rules
NP_DTYPES = {"FP32": np.float32, "UINT8": np.uint8, "FP16": np.float16, "INT16": np.int16}


def preprocess(img, fmt, dtype, c, h, w, scaling):
    sample_img = img.convert("L") if c == 1 else img.convert("RGB")
    resized_img = sample_img.resize((w, h), Image.BILINEAR)
    resized = np.array(resized_img)
    if resized.ndim == 2:
        resized = resized[:, :, np.newaxis]
    npdtype = NP_DTYPES[dtype]
    typed = resized.astype(npdtype)
    if scaling == "INCEPTION":
        scaled = (typed / 127.5) - 1
    elif scaling == "VGG":
        scaled = typed - np.asarray((128,) if c == 1 else (123, 117, 104), dtype=npdtype)
    else:
        scaled = typed
    return np.transpose(scaled, (2, 0, 1)) if fmt == "NCHW" else scaled


SPECS = [
    {"channels": 3, "height": 10, "width": 12, "format": "NCHW", "scaling": "NONE", "datatype": "FP32"},
    {"channels": 3, "height": 9, "width": 9, "format": "NHWC", "scaling": "INCEPTION", "datatype": "FP32"},
    {"channels": 3, "height": 14, "width": 7, "format": "NCHW", "scaling": "VGG", "datatype": "FP32"},
    {"channels": 1, "height": 11, "width": 13, "format": "NCHW", "scaling": "INCEPTION", "datatype": "FP32"},
    {"channels": 1, "height": 8, "width": 8, "format": "NHWC", "scaling": "VGG", "datatype": "FP32"},
    {"channels": 3, "height": 12, "width": 10, "format": "NHWC", "scaling": "NONE", "datatype": "UINT8"},
    {"channels": 1, "height": 6, "width": 16, "format": "NCHW", "scaling": "NONE", "datatype": "UINT8"},
    {"channels": 3, "height": 8, "width": 8, "format": "NCHW", "scaling": "INCEPTION", "datatype": "FP16"},
    {"channels": 3, "height": 8, "width": 8, "format": "NHWC", "scaling": "VGG", "datatype": "INT16"},
]


# ---------------------------------------------------------------- a small PNG writer (any colour type, depth, Adam7)
def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        bits += depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_rows(rows, bpp):
    """Filters each row with type (row index % 5), so every filter is exercised."""
    out, prev = bytearray(), bytes(len(rows[0])) if rows else b""
    for i, row in enumerate(rows):
        ft = i % 5
        out.append(ft)
        for x, v in enumerate(row):
            a = row[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][ft]
            out.append((v - pred) & 255)
        prev = row
    return bytes(out)


def write_png(path, pixels, color_type, depth, palette=None, trns=None, interlace=False):
    """pixels: numpy array (h, w, channels) of samples at the given depth."""
    h, w, ch = pixels.shape
    bpp = max(1, ch * depth // 8)
    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    else:
        passes = [(0, 0, 1, 1)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = pixels[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        rows = [pack_row([int(v) for v in r.reshape(-1)], depth) for r in sub]
        raw += filter_rows(rows, bpp)
    data = b"\x89PNG\r\n\x1a\n"
    data += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        data += png_chunk(b"PLTE", bytes(palette))
    if trns is not None:
        data += png_chunk(b"tRNS", bytes(trns))
    comp = zlib.compress(raw, 9)
    half = len(comp) // 2  # two IDAT chunks, as real encoders split them
    data += png_chunk(b"IDAT", comp[:half]) + png_chunk(b"IDAT", comp[half:])
    data += png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def smooth(h, w, ch, maxval, noise=0.15):
    """Gradients plus some noise: small files that still exercise the filters and the resampler."""
    y, x = np.mgrid[0:h, 0:w]
    planes = []
    for k in range(ch):
        base = (np.sin(x / (3 + k) + k) + np.cos(y / (4 + 2 * k))) / 4 + 0.5
        base = base * (1 - noise) + rng.random((h, w)) * noise
        planes.append(np.clip(np.round(base * maxval), 0, maxval))
    return np.stack(planes, axis=2).astype(np.int64)


# ---------------------------------------------------------------- BMP writers PIL cannot produce itself
def bmp_file(width, height, bpp, pixel_bytes, palette=b"", compression=0, masks=b"", header=40, top_down=False):
    info_size = header
    off = 14 + info_size + len(masks) + len(palette)
    h = -height if top_down else height
    info = struct.pack("<IiiHHIIiiII", info_size, width, h, 1, bpp, compression, len(pixel_bytes), 2835, 2835, len(palette) // 4, 0)
    info += b"\0" * (info_size - 40)
    return b"BM" + struct.pack("<IHHI", off + len(pixel_bytes), 0, 0, off) + info + masks + palette + pixel_bytes


def rows_padded(rows):
    out = b""
    for r in rows:
        out += r + b"\0" * ((-len(r)) % 4)
    return out


def rle8(indices):
    """Encodes rows (bottom-up order given) with runs and absolute blocks."""
    out = bytearray()
    for row in indices:
        i = 0
        row = [int(v) for v in row]
        while i < len(row):
            run = 1
            while i + run < len(row) and row[i + run] == row[i] and run < 255:
                run += 1
            if run >= 3 or len(row) - i < 3:
                out += bytes([run, row[i]])
                i += run
            else:
                n = min(3 + (i % 5), len(row) - i)
                out += bytes([0, n]) + bytes(row[i:i + n]) + (b"\0" if n % 2 else b"")
                i += n
        out += b"\0\0"
    out += b"\0\1"
    return bytes(out)


def rle4(indices):
    """RLE4: runs of alternating nibble pairs and absolute blocks, per row (given bottom-up)."""
    out = bytearray()
    for row in indices:
        row = [int(v) for v in row]
        i = 0
        while i < len(row):
            if i + 4 <= len(row) and i % 3 == 0:
                n = min(4 + (i % 2), len(row) - i)
                packed = bytearray()
                for k in range(0, n, 2):
                    packed.append((row[i + k] << 4) | (row[i + k + 1] if k + 1 < n else 0))
                if len(packed) % 2:
                    packed.append(0)
                out += bytes([0, n]) + packed
                i += n
            else:
                run = 1
                while i + run < len(row) and run < 10 and row[i + run] == row[i + (run % 2)]:
                    run += 1
                second = row[i + 1] if run > 1 else 0
                out += bytes([run, (row[i] << 4) | second])
                i += run
        out += b"\0\0"
    out += b"\0\1"
    return bytes(out)


def gif_with_offset(src_path, dst_path, screen, left, top):
    """A PIL-written GIF whose first frame sits at (left, top) inside a larger logical screen."""
    data = bytearray(open(src_path, "rb").read())
    struct.pack_into("<HH", data, 6, *screen)
    flags = data[10]
    p = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while data[p] == 0x21:
        p += 2
        while data[p]:
            p += data[p] + 1
        p += 1
    assert data[p] == 0x2C
    struct.pack_into("<HH", data, p + 1, left, top)
    open(dst_path, "wb").write(bytes(data))


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    files = []

    def add(name):
        files.append(name)

    # PNG: every colour type and bit depth, palette with tRNS, interlaced.
    W, H = 23, 17
    for depth in (1, 2, 4, 8, 16):
        write_png(f"{OUT}/png-gray{depth}.png", smooth(H, W, 1, (1 << depth) - 1), 0, depth)
        add(f"png-gray{depth}.png")
    write_png(f"{OUT}/png-gray8-trns.png", smooth(H, W, 1, 255), 0, 8, trns=struct.pack(">H", 40))
    add("png-gray8-trns.png")
    for depth in (8, 16):
        write_png(f"{OUT}/png-rgb{depth}.png", smooth(H, W, 3, (1 << depth) - 1), 2, depth)
        write_png(f"{OUT}/png-la{depth}.png", smooth(H, W, 2, (1 << depth) - 1), 4, depth)
        write_png(f"{OUT}/png-rgba{depth}.png", smooth(H, W, 4, (1 << depth) - 1), 6, depth)
        add(f"png-rgb{depth}.png")
        add(f"png-la{depth}.png")
        add(f"png-rgba{depth}.png")
    for depth in (1, 2, 4, 8):
        n = 1 << depth
        pal = rng.integers(0, 256, size=n * 3, dtype=np.uint8).tobytes()
        idx = smooth(H, W, 1, n - 1)
        write_png(f"{OUT}/png-palette{depth}.png", idx, 3, depth, palette=pal)
        add(f"png-palette{depth}.png")
    pal = rng.integers(0, 256, size=16 * 3, dtype=np.uint8).tobytes()
    write_png(f"{OUT}/png-palette4-trns.png", smooth(H, W, 1, 15), 3, 4, palette=pal, trns=bytes(range(0, 160, 20)))
    add("png-palette4-trns.png")
    write_png(f"{OUT}/png-rgb8-trns.png", smooth(H, W, 3, 255), 2, 8, trns=struct.pack(">HHH", 1, 2, 3))
    add("png-rgb8-trns.png")
    write_png(f"{OUT}/png-rgb8-interlaced.png", smooth(H, W, 3, 255), 2, 8, interlace=True)
    write_png(f"{OUT}/png-gray1-interlaced.png", smooth(H, W, 1, 1), 0, 1, interlace=True)
    write_png(f"{OUT}/png-palette2-interlaced.png", smooth(5, 3, 1, 3), 3, 2, palette=bytes(range(12)), interlace=True)
    write_png(f"{OUT}/png-rgba16-interlaced.png", smooth(H, W, 4, 65535), 6, 16, interlace=True)
    add("png-rgb8-interlaced.png")
    add("png-gray1-interlaced.png")
    add("png-palette2-interlaced.png")
    add("png-rgba16-interlaced.png")
    # Upscale from tiny, strong downscale from larger.
    write_png(f"{OUT}/png-rgb8-tiny-3x2.png", smooth(2, 3, 3, 255, noise=0.9), 2, 8)
    write_png(f"{OUT}/png-rgb8-large-160x120.png", smooth(120, 160, 3, 255, noise=0.0), 2, 8)
    write_png(f"{OUT}/png-gray8-wide-97x5.png", smooth(5, 97, 1, 255, noise=0.5), 0, 8)
    add("png-rgb8-tiny-3x2.png")
    add("png-rgb8-large-160x120.png")
    add("png-gray8-wide-97x5.png")

    # BMP: PIL-written 1/8/24/32-bit, hand-written 4-bit, RLE8, top-down, bitfields.
    rgb = smooth(H, W, 3, 255).astype(np.uint8)
    base = Image.fromarray(rgb, "RGB")
    base.convert("1").save(f"{OUT}/bmp-1bit.bmp")
    base.convert("L").save(f"{OUT}/bmp-8bit-gray.bmp")
    base.quantize(37).save(f"{OUT}/bmp-8bit-palette.bmp")
    base.save(f"{OUT}/bmp-24bit.bmp")
    Image.fromarray(smooth(H, W, 4, 255).astype(np.uint8), "RGBA").save(f"{OUT}/bmp-32bit-rgba.bmp")
    files += ["bmp-1bit.bmp", "bmp-8bit-gray.bmp", "bmp-8bit-palette.bmp", "bmp-24bit.bmp", "bmp-32bit-rgba.bmp"]
    pal16 = b"".join(bytes([b, g, r, 0]) for r, g, b in rng.integers(0, 256, size=(16, 3)))
    idx = smooth(H, W, 1, 15)[:, :, 0]
    rows4 = [bytes(((int(r[x]) << 4) | (int(r[x + 1]) if x + 1 < W else 0)) for x in range(0, W, 2)) for r in idx[::-1]]
    with open(f"{OUT}/bmp-4bit.bmp", "wb") as f:
        f.write(bmp_file(W, H, 4, rows_padded(rows4), palette=pal16))
    pal256 = b"".join(bytes([b, g, r, 0]) for r, g, b in rng.integers(0, 256, size=(256, 3)))
    idx8 = smooth(H, W, 1, 255, noise=0.02)[:, :, 0] // 16 * 16
    with open(f"{OUT}/bmp-rle8.bmp", "wb") as f:
        f.write(bmp_file(W, H, 8, rle8(idx8[::-1]), palette=pal256, compression=1))
    bgr = rgb[:, :, ::-1]
    with open(f"{OUT}/bmp-24bit-topdown.bmp", "wb") as f:
        f.write(bmp_file(W, H, 24, rows_padded([r.tobytes() for r in bgr]), top_down=True))
    px565 = (rgb[:, :, 0].astype(np.uint16) >> 3 << 11) | (rgb[:, :, 1].astype(np.uint16) >> 2 << 5) | (rgb[:, :, 2].astype(np.uint16) >> 3)
    with open(f"{OUT}/bmp-16bit-565.bmp", "wb") as f:
        f.write(bmp_file(W, H, 16, rows_padded([r.astype("<u2").tobytes() for r in px565[::-1]]), compression=3, masks=struct.pack("<III", 0xF800, 0x7E0, 0x1F)))
    px555 = (rgb[:, :, 0].astype(np.uint16) >> 3 << 10) | (rgb[:, :, 1].astype(np.uint16) >> 3 << 5) | (rgb[:, :, 2].astype(np.uint16) >> 3)
    with open(f"{OUT}/bmp-16bit-555.bmp", "wb") as f:
        f.write(bmp_file(W, H, 16, rows_padded([r.astype("<u2").tobytes() for r in px555[::-1]])))
    with open(f"{OUT}/bmp-rle4.bmp", "wb") as f:
        f.write(bmp_file(W, H, 4, rle4(idx[::-1]), palette=pal16, compression=2))
    files += ["bmp-4bit.bmp", "bmp-rle8.bmp", "bmp-24bit-topdown.bmp", "bmp-16bit-565.bmp", "bmp-16bit-555.bmp", "bmp-rle4.bmp"]

    # GIF: PIL interlaces images of at least 16 pixels a side, not smaller ones.
    base.quantize(50).save(f"{OUT}/gif-interlaced.gif")
    small = Image.fromarray(smooth(9, 14, 3, 255).astype(np.uint8), "RGB").quantize(7)
    small.save(f"{OUT}/gif-small-transparent.gif", transparency=3)
    base.convert("L").save(f"{OUT}/gif-gray.gif")
    gif_with_offset(f"{OUT}/gif-small-transparent.gif", f"{OUT}/gif-offset-transparent.gif", (20, 15), 4, 3)
    Image.fromarray(smooth(9, 14, 3, 255).astype(np.uint8), "RGB").quantize(7).save(f"{OUT}/gif-tmp.gif")
    gif_with_offset(f"{OUT}/gif-tmp.gif", f"{OUT}/gif-offset.gif", (17, 12), 2, 1)
    os.remove(f"{OUT}/gif-tmp.gif")
    files += ["gif-interlaced.gif", "gif-small-transparent.gif", "gif-gray.gif", "gif-offset-transparent.gif", "gif-offset.gif"]
    # A palette shorter than the indices used: PIL fills the missing entries its own way.
    write_png(f"{OUT}/png-palette4-short.png", smooth(H, W, 1, 15), 3, 4, palette=bytes(range(30, 45)))
    files.append("png-palette4-short.png")

    # JPEG (decoded by the project's JPEG decoder): baseline 4:2:0, 4:4:4, progressive, grey.
    photo = Image.fromarray(smooth(29, 37, 3, 255, noise=0.3).astype(np.uint8), "RGB")
    photo.save(f"{OUT}/jpeg-baseline-420.jpg", quality=85, subsampling=2)
    photo.save(f"{OUT}/jpeg-baseline-444.jpg", quality=90, subsampling=0)
    photo.save(f"{OUT}/jpeg-progressive-420.jpg", quality=80, subsampling=2, progressive=True)
    photo.convert("L").save(f"{OUT}/jpeg-gray.jpg", quality=75)
    files += ["jpeg-baseline-420.jpg", "jpeg-baseline-444.jpg", "jpeg-progressive-420.jpg", "jpeg-gray.jpg"]

    # WebP lossless: photo-like (predictor, colour transform, cache, LZ77), few colours (palette packing), alpha.
    photo.save(f"{OUT}/webp-lossless-rgb.webp", lossless=True)
    Image.fromarray(smooth(40, 56, 3, 255, noise=0.0).astype(np.uint8), "RGB").save(f"{OUT}/webp-lossless-smooth.webp", lossless=True, quality=100)
    Image.fromarray(smooth(H, W, 4, 255).astype(np.uint8), "RGBA").save(f"{OUT}/webp-lossless-rgba.webp", lossless=True, exact=True)
    for colours in (2, 3, 11, 60):
        base.quantize(colours).convert("RGB").save(f"{OUT}/webp-lossless-{colours}colours.webp", lossless=True)
    files += ["webp-lossless-rgb.webp", "webp-lossless-smooth.webp", "webp-lossless-rgba.webp"]
    files += [f"webp-lossless-{c}colours.webp" for c in (2, 3, 11, 60)]
    photo.save(f"{OUT}/bad-lossy.webp", quality=80)

    # Not images, or broken ones: the tests expect a clear error naming what is wrong.
    with open(f"{OUT}/png-rgb8.png", "rb") as f:
        whole = f.read()
    with open(f"{OUT}/bad-truncated.png", "wb") as f:
        f.write(whole[: len(whole) // 2])
    with open(f"{OUT}/bad-text.png", "wb") as f:
        f.write(b"this is not an image\n")

    manifest = {"images": [], "conversions": []}
    for name in files:
        im = Image.open(f"{OUT}/{name}")
        stem = name.rsplit(".", 1)[0]
        # Converted pixels of the small images only: the large one is covered by its tensors.
        raw = im.size[0] * im.size[1] <= 1000
        entry = {"file": name, "mode": im.mode, "width": im.size[0], "height": im.size[1], "raw": raw, "cases": []}
        if raw:
            with open(f"{OUT}/{stem}.L.raw", "wb") as f:
                f.write(im.convert("L").tobytes())
            with open(f"{OUT}/{stem}.RGB.raw", "wb") as f:
                f.write(im.convert("RGB").tobytes())
        for i, spec in enumerate(SPECS):
            t = preprocess(im, spec["format"], spec["datatype"], spec["channels"], spec["height"], spec["width"], spec["scaling"])
            npy = f"{stem}.spec{i}.npy"
            np.save(f"{OUT}/{npy}", np.ascontiguousarray(t))
            entry["cases"].append({"spec": spec, "npy": npy})
        manifest["images"].append(entry)

    # Modes no file above yields: CMYK and 32-bit integer, from raw pixels.
    cmyk = rng.integers(0, 256, size=(4, 16, 4), dtype=np.uint8)
    ints = np.array([[-70000, -1, 0, 1, 127, 128, 254, 255, 256, 1000, 65535, 2**31 - 1]], dtype=np.int32)
    for mode, arr in (("CMYK", cmyk), ("I", ints)):
        im = Image.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())
        manifest["conversions"].append({
            "mode": mode, "width": im.size[0], "height": im.size[1],
            "data": [int(v) for v in arr.reshape(-1)],
            "L": list(im.convert("L").tobytes()), "RGB": list(im.convert("RGB").tobytes()),
        })
    manifest["pil"] = Image.__version__
    manifest["numpy"] = np.__version__
    with open(f"{OUT}/manifest.json", "w") as f:
        json.dump(manifest, f, separators=(",", ":"))
        f.write("\n")


def npy_fixtures():
    """.npy files as numpy writes them, for the reader: every dtype, byte order, Fortran order, strings."""
    d = os.path.join(ROOT, "..", "npy")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    cases = {
        "bool": np.array([[True, False, True], [False, False, True]]),
        "uint8": np.arange(6, dtype=np.uint8).reshape(2, 3),
        "int8": np.array([-128, -1, 0, 127], dtype=np.int8),
        "uint16-be": np.array([1, 256, 65535], dtype=">u2"),
        "int32-be": np.array([[-2, 70000]], dtype=">i4"),
        "uint32": np.array([4294967295, 0], dtype=np.uint32),
        "int64": np.array([-(2**40), 5], dtype=np.int64),
        "uint64": np.array([2**40], dtype=np.uint64),
        "float16": np.array([0.5, -2, 65504, 1e-7], dtype=np.float16),
        "float32-fortran": np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)),
        "float64-scalar": np.array(3.25),
        "bytes": np.array([b"ab", b"", b"xyz"]),
        "unicode": np.array(["h\u00e9", "\U0001f600"]),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    manifest = {}
    for name, arr in cases.items():
        np.save(os.path.join(d, f"{name}.npy"), arr)
        flat = np.ascontiguousarray(arr).reshape(-1)
        if arr.dtype.kind in "SU":
            values = [v.decode("latin1") if isinstance(v, bytes) else str(v) for v in flat.tolist()]
        elif arr.dtype.kind in "iu" and arr.dtype.itemsize == 8:
            values = [str(v) for v in flat.tolist()]
        else:
            values = [float(v) if arr.dtype.kind == "f" else int(v) for v in flat.tolist()]
        manifest[name] = {"descr": arr.dtype.str, "shape": list(arr.shape), "values": values}
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
    npy_fixtures()
