#!/usr/bin/python3
"""Writes the JPEG fixtures under test/fixtures/images/jpeg/ with the pixels PIL decodes from them.

Each fixture is NAME.jpg plus NAME.raw (PIL's Image.open(NAME.jpg).tobytes()); manifest.json gives
size and mode, or the error PIL raises. Files come from two encoders: PIL (libjpeg-turbo) for the
common layouts, and a small encoder below for the layouts PIL cannot write (4:1:1, 4:4:0, mixed
and unusual sampling, restart intervals, separate scans, Adobe RGB/YCCK, 16-bit tables...).
A few more are rewritten by jpegtran (progressive with restart intervals, progressive forms of the
unusual layouts, a custom scan script). Needs Debian's python3-pil, python3-numpy and
libjpeg-turbo-progs; run with /usr/bin/python3.
    /usr/bin/python3 scripts/gen-image-fixtures.py            # the committed fixtures
    /usr/bin/python3 scripts/gen-image-fixtures.py --bench    # only out/bench/photo-1920x1080-*.jpg (+ PIL's pixels, timing)
"""
import heapq
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'images', 'jpeg')


def photo(w, h, seed, noise=12):
    """A photo-like RGB image: smooth gradients, texture, noise and hard-edged shapes."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / (w / 3.1) + 0.5) * np.cos(y / (h / 2.3))
    g = 40 + 180 * (x + y) / (w + h)
    b = 128 + 90 * np.sin((x * 0.7 - y) / 5.0)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, noise, (h, w, 3))
    for _ in range(3):  # saturated rectangles: ringing that the range limit must clamp
        x0, y0 = rng.integers(0, max(1, w - 2)), rng.integers(0, max(1, h - 2))
        img[y0:y0 + max(1, h // 4), x0:x0 + max(1, w // 5)] = rng.choice([0, 255], 3)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- small baseline encoder

ZIGZAG = [0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
          21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60,
          61, 54, 47, 55, 62, 63]
DCT = np.array([[(np.sqrt(1 / 8) if k == 0 else np.sqrt(2 / 8)) * np.cos((2 * n + 1) * k * np.pi / 16)
                 for n in range(8)] for k in range(8)])


def quant_table(quality, chroma=False):
    base = np.full(64, 16 if not chroma else 24, dtype=np.int64) + np.arange(64) // 2
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    return np.clip((base * scale + 50) // 100, 1, 255)


def category(v):
    return 0 if v == 0 else int(abs(v)).bit_length()


def huffman(freq):
    """Code lengths (<= 16) for symbols with nonzero freq, keeping the all-ones code unused."""
    syms = [s for s in range(256) if freq[s]] + [256]
    heap = [(freq[s] if s < 256 else 0, i, [s]) for i, s in enumerate(syms)]
    heapq.heapify(heap)
    depth = {s: 0 for s in syms}
    n = len(heap)
    while len(heap) > 1:
        f1, _, a = heapq.heappop(heap)
        f2, _, b = heapq.heappop(heap)
        for s in a + b:
            depth[s] += 1
        n += 1
        heapq.heappush(heap, (f1 + f2, n, a + b))
    if len(syms) == 1:
        depth[syms[0]] = 1
    longest = max(depth.values())
    assert longest <= 16, 'code too long for this small encoder'
    if depth[256] != longest:  # give the reserved symbol a longest code so it takes the all-ones code
        other = next(s for s in syms if depth[s] == longest)
        depth[other], depth[256] = depth[256], longest
    order = sorted((depth[s], s) for s in syms if s != 256)
    counts = [0] * 16
    for d, _ in order:
        counts[d - 1] += 1
    codes, code, prev = {}, 0, order[0][0] if order else 1
    for d, s in order:
        code <<= d - prev
        prev = d
        codes[s] = (code, d)
        code += 1
    return counts, [s for _, s in order], codes


class Bits:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, size):
        for i in range(size - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)
                self.acc, self.n = 0, 0

    def flush(self):
        while self.n:
            self.put(1, 1)


def encode(planes, samp, quality=80, ids=None, jfif=True, adobe=None, restart=0, scans=None, sof=0xC0, q16=False):
    """planes: full-size uint8 arrays already in the coded colour space; samp: (h, v) per component."""
    height, width = planes[0].shape
    nc = len(planes)
    ids = ids or list(range(1, nc + 1))
    hmax, vmax = max(h for h, _ in samp), max(v for _, v in samp)
    mx, my = -(-width // (8 * hmax)), -(-height // (8 * vmax))
    qts = [quant_table(quality), quant_table(quality, True)]
    comps = []
    for ci, (p, (h, v)) in enumerate(zip(planes, samp)):
        sw, sh = -(-width * h // hmax), -(-height * v // vmax)
        fx, fy = hmax // h if hmax % h == 0 else 1, vmax // v if vmax % v == 0 else 1
        big = np.pad(p.astype(np.float64), ((0, sh * fy - height if sh * fy > height else 0), (0, sw * fx - width if sw * fx > width else 0)), mode='edge')
        small = big[:sh * fy, :sw * fx].reshape(sh, fy, sw, fx).mean(axis=(1, 3))
        bw, bh = mx * h, my * v
        padded = np.pad(small, ((0, bh * 8 - sh), (0, bw * 8 - sw)), mode='edge')
        qt = qts[0 if ci == 0 or nc == 4 and ci == 3 else 1]
        blocks = np.zeros((bh, bw, 64), dtype=np.int64)
        for by in range(bh):
            for bx in range(bw):
                blk = padded[by * 8:by * 8 + 8, bx * 8:bx * 8 + 8] - 128
                coef = (DCT @ blk @ DCT.T).reshape(64)
                blocks[by, bx] = np.round(coef[ZIGZAG] / qt[np.argsort(ZIGZAG)][ZIGZAG] if False else coef[ZIGZAG] / qt)
        comps.append(dict(id=ids[ci], h=h, v=v, tq=0 if qt is qts[0] else 1, blocks=blocks, bw=-(-sw // 8), bh=-(-sh // 8)))
    scans = scans or [list(range(nc))]

    def mcu_blocks(scan):
        if len(scan) == 1:
            c = comps[scan[0]]
            for by in range(c['bh']):
                for bx in range(c['bw']):
                    yield [(scan[0], by, bx)]
        else:
            for y in range(my):
                for x in range(mx):
                    yield [(ci, y * comps[ci]['v'] + j, x * comps[ci]['h'] + i)
                           for ci in scan for j in range(comps[ci]['v']) for i in range(comps[ci]['h'])]

    def symbols(scan):  # (table-key, symbol, extra bits, extra size) per block, with restart points
        pred = {ci: 0 for ci in scan}
        for m, mcu in enumerate(mcu_blocks(scan)):
            if restart and m and m % restart == 0:
                yield ('RST', (m // restart - 1) % 8)
                pred = {ci: 0 for ci in scan}
            for ci, by, bx in mcu:
                b = comps[ci]['blocks'][by, bx]
                diff = int(b[0]) - pred[ci]
                pred[ci] = int(b[0])
                s = category(diff)
                yield (('dc', ci), s, diff if diff >= 0 else diff + (1 << s) - 1, s)
                run = 0
                for k in range(1, 64):
                    a = int(b[k])
                    if a == 0:
                        run += 1
                        continue
                    while run > 15:
                        yield (('ac', ci), 0xF0, 0, 0)
                        run -= 16
                    s = category(a)
                    yield (('ac', ci), (run << 4) | s, a if a >= 0 else a + (1 << s) - 1, s)
                    run = 0
                if run:
                    yield (('ac', ci), 0, 0, 0)

    out = bytearray(b'\xFF\xD8')
    seg = lambda m, body: out.extend(bytes([0xFF, m]) + (len(body) + 2).to_bytes(2, 'big') + bytes(body))
    if jfif:
        seg(0xE0, b'JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00')
    if adobe is not None:
        seg(0xEE, b'Adobe\x00\x64\x00\x00\x00\x00' + bytes([adobe]))
    for t, qt in enumerate(qts):
        if q16:
            seg(0xDB, bytes([0x10 | t]) + b''.join(int(v).to_bytes(2, 'big') for v in qt))
        else:
            seg(0xDB, bytes([t]) + bytes(int(v) for v in qt))
    sofb = bytes([8]) + height.to_bytes(2, 'big') + width.to_bytes(2, 'big') + bytes([nc])
    for c in comps:
        sofb += bytes([c['id'], (c['h'] << 4) | c['v'], c['tq']])
    seg(sof, sofb)
    if restart:
        seg(0xDD, restart.to_bytes(2, 'big'))
    for si, scan in enumerate(scans):
        syms = list(symbols(scan))
        tables = {}
        for key in {s[0] for s in syms if s[0] != 'RST'}:
            freq = [0] * 256
            for s in syms:
                if s[0] == key:
                    freq[s[1]] += 1
            tables[key] = huffman(freq)
        slot = {ci: n for n, ci in enumerate(scan)}
        for (kind, ci), (counts, vals, _) in sorted(tables.items()):
            seg(0xC4, bytes([(0 if kind == 'dc' else 0x10) | slot[ci]] + counts + vals))
        sos = bytes([len(scan)])
        for ci in scan:
            sos += bytes([comps[ci]['id'], (slot[ci] << 4) | slot[ci]])
        seg(0xDA, sos + b'\x00\x3F\x00')
        bits = Bits()
        for s in syms:
            if s[0] == 'RST':
                bits.flush()
                bits.out += bytes([0xFF, 0xD0 + s[1]])
                continue
            code, size = tables[s[0]][2][s[1]]
            bits.put(code, size)
            bits.put(s[2], s[3])
        bits.flush()
        out += bits.out
    out += b'\xFF\xD9'
    return bytes(out)


def to_ycc(rgb):
    f = rgb.astype(np.float64)
    y = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
    cb = 128 - 0.168736 * f[..., 0] - 0.331264 * f[..., 1] + 0.5 * f[..., 2]
    cr = 128 + 0.5 * f[..., 0] - 0.418688 * f[..., 1] - 0.081312 * f[..., 2]
    return [np.clip(np.round(c), 0, 255).astype(np.uint8) for c in (y, cb, cr)]


# ---------------------------------------------------------------- fixtures

def pil_jpeg(img, **opts):
    buf = io.BytesIO()
    img.save(buf, 'JPEG', **opts)
    return buf.getvalue()


def without_dht(data):
    """The file with its DHT segments removed (as Motion-JPEG frames come): decoders use Annex K's tables."""
    out, p = bytearray(data[:2]), 2
    while data[p + 1] != 0xDA:
        length = int.from_bytes(data[p + 2:p + 4], 'big')
        if data[p + 1] != 0xC4:
            out += data[p:p + 2 + length]
        p += 2 + length
    return bytes(out + data[p:])


def jpegtran(data, *args, scans=None):
    """The same image rewritten by libjpeg-turbo's jpegtran (coefficients kept, coding changed)."""
    with tempfile.TemporaryDirectory() as tmp:
        extra = []
        if scans:
            path = os.path.join(tmp, 'scans.txt')
            with open(path, 'w') as fh:
                fh.write(scans)
            extra = ['-scans', path]
        return subprocess.run(['jpegtran', *args, *extra], input=data, capture_output=True, check=True).stdout


def fixtures():
    rgb = lambda w, h, s=1: Image.fromarray(photo(w, h, s))
    f = {}
    f['pil-420-q75-48x32'] = pil_jpeg(rgb(48, 32), quality=75)
    f['pil-444-q95-33x17'] = pil_jpeg(rgb(33, 17, 2), quality=95, subsampling=0)
    f['pil-422-q50-17x13'] = pil_jpeg(rgb(17, 13, 3), quality=50, subsampling=1)
    f['pil-420-q90-17x13'] = pil_jpeg(rgb(17, 13, 4), quality=90, subsampling=2)
    f['pil-420-q20-40x24'] = pil_jpeg(rgb(40, 24, 5), quality=20)
    f['pil-420-1x1'] = pil_jpeg(rgb(1, 1, 6), quality=90)
    f['pil-420-2x2'] = pil_jpeg(rgb(2, 2, 7), quality=90)
    f['pil-420-3x3'] = pil_jpeg(rgb(3, 3, 8), quality=90)
    f['pil-420-5x4'] = pil_jpeg(rgb(5, 4, 9), quality=90)
    f['pil-422-4x9'] = pil_jpeg(rgb(4, 9, 10), quality=90, subsampling=1)
    f['pil-gray-q85-17x13'] = pil_jpeg(rgb(17, 13, 11).convert('L'), quality=85)
    f['pil-optimized-420-31x19'] = pil_jpeg(rgb(31, 19, 12), quality=80, optimize=True)
    f['pil-progressive-420-33x21'] = pil_jpeg(rgb(33, 21, 13), quality=80, progressive=True)
    f['pil-progressive-444-q95-20x20'] = pil_jpeg(rgb(20, 20, 14), quality=95, progressive=True, subsampling=0)
    f['pil-progressive-422-q50-27x11'] = pil_jpeg(rgb(27, 11, 15), quality=50, progressive=True, subsampling=1)
    f['pil-progressive-gray-17x13'] = pil_jpeg(rgb(17, 13, 16).convert('L'), quality=85, progressive=True)
    f['pil-cmyk-q90-19x11'] = pil_jpeg(rgb(19, 11, 17).convert('CMYK'), quality=90)
    f['pil-420-no-huffman-tables-35x20'] = without_dht(pil_jpeg(rgb(35, 20, 19), quality=85))
    f['pil-photo-q90-320x240'] = pil_jpeg(rgb(320, 240, 18), quality=90)

    a = photo(40, 24, 20)
    y, cb, cr = to_ycc(a)
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    f['own-411-40x24'] = encode([y, cb, cr], [(4, 1), (1, 1), (1, 1)])
    f['own-440-23x30'] = encode(to_ycc(photo(23, 30, 21)), [(1, 2), (1, 1), (1, 1)])
    f['own-mixed-h1v2-h2v1-21x18'] = encode(to_ycc(photo(21, 18, 22)), [(2, 2), (2, 1), (1, 2)])
    f['own-h3-25x9'] = encode(to_ycc(photo(25, 9, 23)), [(3, 1), (1, 1), (1, 1)])
    f['own-v3h4-37x29'] = encode(to_ycc(photo(37, 29, 24)), [(1, 3), (1, 1), (4, 1)])
    f['own-luma-subsampled-19x15'] = encode(to_ycc(photo(19, 15, 25)), [(1, 1), (2, 2), (2, 2)])
    f['own-restart1-420-35x19'] = encode(to_ycc(photo(35, 19, 26)), [(2, 2), (1, 1), (1, 1)], restart=1)
    f['own-restart3-420-35x19'] = encode(to_ycc(photo(35, 19, 26)), [(2, 2), (1, 1), (1, 1)], restart=3, quality=95)
    f['own-separate-scans-sof1-420-29x22'] = encode(to_ycc(photo(29, 22, 27)), [(2, 2), (1, 1), (1, 1)], scans=[[0], [1], [2]], sof=0xC1)
    f['own-scan-y-then-cbcr-422-26x17'] = encode(to_ycc(photo(26, 17, 28)), [(2, 1), (1, 1), (1, 1)], scans=[[0], [1, 2]], restart=2)
    f['own-adobe-rgb-17x13'] = encode([r[:13, :17], g[:13, :17], b[:13, :17]], [(1, 1)] * 3, jfif=False, adobe=0)
    f['own-rgb-ids-17x13'] = encode([r[:13, :17], g[:13, :17], b[:13, :17]], [(1, 1)] * 3, jfif=False, ids=[82, 71, 66])
    f['own-ycc-no-markers-17x13'] = encode([c[:13, :17] for c in (y, cb, cr)], [(2, 1), (1, 1), (1, 1)], jfif=False, ids=[7, 8, 9])
    f['own-jfif-and-adobe0-17x13'] = encode([c[:13, :17] for c in (y, cb, cr)], [(1, 1)] * 3, jfif=True, adobe=0)
    f['own-adobe1-ycc-17x13'] = encode([c[:13, :17] for c in (y, cb, cr)], [(2, 2), (1, 1), (1, 1)], jfif=False, adobe=1, ids=[82, 71, 66])
    k = (255 - np.maximum(np.maximum(r, g), b)).astype(np.uint8)
    f['own-ycck-40x24'] = encode([255 - y, 255 - cb, 255 - cr, k], [(2, 2), (1, 1), (1, 1), (2, 2)], jfif=False, adobe=2)
    f['own-adobe1-four-components-40x24'] = encode([255 - y, 255 - cb, 255 - cr, k], [(1, 1)] * 4, jfif=False, adobe=1)
    f['own-cmyk-no-adobe-40x24'] = encode([255 - r, 255 - g, 255 - b, k], [(1, 1)] * 4, jfif=False)
    f['own-gray-restart2-q16-21x21'] = encode([to_ycc(photo(21, 21, 29))[0]], [(1, 1)], restart=2, q16=True)
    f['tran-progressive-restart1-420-35x19'] = jpegtran(f['own-restart1-420-35x19'], '-progressive', '-restart', '1B')
    f['tran-progressive-restart-row-444-33x17'] = jpegtran(f['pil-444-q95-33x17'], '-progressive', '-restart', '1')
    f['tran-progressive-411-40x24'] = jpegtran(f['own-411-40x24'], '-progressive')
    f['tran-progressive-440-23x30'] = jpegtran(f['own-440-23x30'], '-progressive')
    f['tran-progressive-mixed-21x18'] = jpegtran(f['own-mixed-h1v2-h2v1-21x18'], '-progressive', '-restart', '3B')
    f['tran-progressive-ycck-40x24'] = jpegtran(f['own-ycck-40x24'], '-progressive')
    # Spectral bands split unevenly, successive approximation to the last bit, DC interleaved.
    f['tran-scan-script-420-48x32'] = jpegtran(f['pil-420-q75-48x32'], scans='0,1,2: 0-0, 0, 1;\n0: 1-2, 0, 2;\n0: 3-63, 0, 1;\n1: 1-63, 0, 0;\n2: 1-63, 0, 0;\n0: 1-2, 2, 1;\n0: 1-63, 1, 0;\n0,1,2: 0-0, 1, 0;\n')
    # Progressive files that stop short of the last bits: libjpeg-turbo smooths the missing coefficients.
    dc_only = '0,1,2: 0-0, 0, 0;\n'
    f['tran-incomplete-dc-only-420-48x32'] = jpegtran(f['pil-420-q75-48x32'], scans=dc_only)
    f['tran-incomplete-dc-only-420-40x37'] = jpegtran(pil_jpeg(rgb(40, 37, 31), quality=60), scans=dc_only)
    f['tran-incomplete-low-ac-420-35x29'] = jpegtran(pil_jpeg(rgb(35, 29, 32), quality=70), scans='0,1,2: 0-0, 0, 0;\n0: 1-5, 0, 2;\n1: 1-63, 0, 0;\n2: 1-2, 0, 1;\n')
    f['tran-incomplete-gray-33x27'] = jpegtran(pil_jpeg(rgb(33, 27, 33).convert('L'), quality=80), scans='0: 0-0, 0, 2;\n0: 1-9, 0, 1;\n0: 10-63, 0, 0;\n')
    f['tran-incomplete-dc-only-420-24x70'] = jpegtran(pil_jpeg(rgb(24, 70, 35), quality=75), scans=dc_only)
    f['tran-incomplete-refining-440-23x30'] = jpegtran(f['own-440-23x30'], scans='0,1,2: 0-0, 0, 1;\n0: 1-9, 0, 2;\n0: 1-9, 2, 1;\n1: 1-63, 0, 0;\n2: 1-63, 0, 0;\n')
    f['tran-incomplete-dc-only-444-9x9'] = jpegtran(pil_jpeg(rgb(9, 9, 34), quality=90, subsampling=0), scans=dc_only)
    # PIL decodes arithmetic coding through libjpeg-turbo; this decoder refuses it (the test expects that).
    f['tran-arithmetic-420-48x32'] = jpegtran(f['pil-420-q75-48x32'], '-arithmetic')
    f['own-fractional-sampling-24x16'] = encode(to_ycc(photo(24, 16, 30)), [(3, 1), (2, 1), (1, 1)])
    return f


def bench_images():
    """1920x1080 photo-like JPEGs for bench/jpeg.ts (not committed), with PIL's pixels and decode time."""
    import time
    bench = os.path.join(ROOT, 'out', 'bench')
    os.makedirs(bench, exist_ok=True)
    noisy = Image.fromarray(photo(1920, 1080, 99))  # sensor-noise heavy: most blocks carry high frequencies
    smooth = Image.fromarray(photo(1920, 1080, 99, noise=3))  # closer to a typical camera photo
    variants = {'420': (noisy, dict(quality=90)), '444': (noisy, dict(quality=90, subsampling=0)),
                'progressive-420': (noisy, dict(quality=90, progressive=True)),
                'smooth-420-q85': (smooth, dict(quality=85))}
    for tag, (img, opts) in variants.items():
        data = pil_jpeg(img, **opts)
        path = os.path.join(bench, f'photo-1920x1080-{tag}')
        with open(path + '.jpg', 'wb') as fh:
            fh.write(data)
        runs = []
        for _ in range(10):
            t0 = time.perf_counter()
            im = Image.open(io.BytesIO(data))
            im.load()
            runs.append((time.perf_counter() - t0) * 1000)
        with open(path + '.raw', 'wb') as fh:
            fh.write(im.tobytes())
        print(f'{tag}: {len(data)} bytes; PIL decode median {sorted(runs)[5]:.1f} ms')


def main():
    if '--bench' in sys.argv:
        bench_images()
        return
    os.makedirs(OUT, exist_ok=True)
    manifest = {}
    for name, data in fixtures().items():
        with open(os.path.join(OUT, name + '.jpg'), 'wb') as fh:
            fh.write(data)
        try:
            im = Image.open(io.BytesIO(data))
            im.load()
            with open(os.path.join(OUT, name + '.raw'), 'wb') as fh:
                fh.write(im.tobytes())
            manifest[name] = {'width': im.size[0], 'height': im.size[1], 'mode': im.mode}
        except Exception as e:  # the decoder must refuse these too
            manifest[name] = {'error': f'{type(e).__name__}: {e}'}
    with open(os.path.join(OUT, 'manifest.json'), 'w') as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
        fh.write('\n')
    print(f'{len(manifest)} fixtures in {os.path.relpath(OUT, ROOT)}')


if __name__ == '__main__':
    main()
