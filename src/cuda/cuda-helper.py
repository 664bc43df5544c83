#!/usr/bin/env python3
"""Triton Workbench's CUDA helper: allocates device memory and exports CUDA IPC handles for Triton's
CUDA shared memory. It loads the CUDA runtime when it starts (no link-time dependency) and holds
its allocations for as long as it runs: an IPC handle is valid only while its allocating process
lives. One JSON request per line on stdin, one JSON answer per line on stdout."""
import base64
import ctypes
import ctypes.util
import json
import sys

CUDA_IPC_HANDLE_SIZE = 64
MEMCPY_HOST_TO_DEVICE = 1
MEMCPY_DEVICE_TO_HOST = 2
IPC_LAZY_ENABLE_PEER_ACCESS = 1


class IpcHandle(ctypes.Structure):
    _fields_ = [("reserved", ctypes.c_char * CUDA_IPC_HANDLE_SIZE)]


def load_runtime():
    names = []
    found = ctypes.util.find_library("cudart")
    if found:
        names.append(found)
    names += ["libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0", "cudart64_12.dll", "cudart64_110.dll"]
    errors = []
    for name in names:
        try:
            return ctypes.CDLL(name), None
        except OSError as error:
            errors.append(str(error))
    return None, "the CUDA runtime library (libcudart) could not be loaded"


class Cuda:
    def __init__(self, lib):
        self.lib = lib
        self.lib.cudaGetErrorString.restype = ctypes.c_char_p
        self.allocations = {}
        self.next_id = 1

    def check(self, code, what):
        if code != 0:
            text = self.lib.cudaGetErrorString(code).decode("utf-8", "replace")
            raise RuntimeError(f"{what} failed: {text} (cudaError {code})")

    def device_count(self):
        count = ctypes.c_int(0)
        self.check(self.lib.cudaGetDeviceCount(ctypes.byref(count)), "cudaGetDeviceCount")
        return count.value

    def runtime_version(self):
        version = ctypes.c_int(0)
        self.check(self.lib.cudaRuntimeGetVersion(ctypes.byref(version)), "cudaRuntimeGetVersion")
        return f"{version.value // 1000}.{(version.value % 1000) // 10}"

    def use_device(self, device):
        self.check(self.lib.cudaSetDevice(ctypes.c_int(device)), f"cudaSetDevice({device})")

    def create(self, size, device):
        self.use_device(device)
        ptr = ctypes.c_void_p()
        self.check(self.lib.cudaMalloc(ctypes.byref(ptr), ctypes.c_size_t(size)), f"cudaMalloc({size})")
        handle = IpcHandle()
        try:
            self.check(self.lib.cudaIpcGetMemHandle(ctypes.byref(handle), ptr), "cudaIpcGetMemHandle")
        except Exception:
            self.lib.cudaFree(ptr)
            raise
        return self.remember(ptr, size, device, False), base64.b64encode(handle.reserved).decode("ascii")

    def open(self, raw, device, size):
        if len(raw) != CUDA_IPC_HANDLE_SIZE:
            raise ValueError(f"an IPC handle is {CUDA_IPC_HANDLE_SIZE} bytes, got {len(raw)}")
        self.use_device(device)
        handle = IpcHandle()
        ctypes.memmove(handle.reserved, raw, CUDA_IPC_HANDLE_SIZE)
        ptr = ctypes.c_void_p()
        self.check(self.lib.cudaIpcOpenMemHandle(ctypes.byref(ptr), handle, ctypes.c_uint(IPC_LAZY_ENABLE_PEER_ACCESS)), "cudaIpcOpenMemHandle")
        return self.remember(ptr, size, device, True)

    def remember(self, ptr, size, device, opened):
        key = self.next_id
        self.next_id += 1
        self.allocations[key] = (ptr, size, device, opened)
        return key

    def region(self, key, offset, length):
        if key not in self.allocations:
            raise ValueError(f"no allocation {key}")
        ptr, size, device, _ = self.allocations[key]
        if offset < 0 or length < 0 or offset + length > size:
            raise ValueError(f"{length} bytes at offset {offset} do not fit the {size}-byte allocation")
        self.use_device(device)
        return ctypes.c_void_p(ptr.value + offset)

    def write(self, key, offset, data):
        target = self.region(key, offset, len(data))
        buf = ctypes.create_string_buffer(data, len(data))
        self.check(self.lib.cudaMemcpy(target, buf, ctypes.c_size_t(len(data)), ctypes.c_int(MEMCPY_HOST_TO_DEVICE)), "cudaMemcpy to the device")

    def read(self, key, offset, length):
        source = self.region(key, offset, length)
        buf = ctypes.create_string_buffer(length)
        self.check(self.lib.cudaMemcpy(buf, source, ctypes.c_size_t(length), ctypes.c_int(MEMCPY_DEVICE_TO_HOST)), "cudaMemcpy from the device")
        return buf.raw

    def free(self, key):
        ptr, _, device, opened = self.allocations.pop(key)
        self.use_device(device)
        if opened:
            self.check(self.lib.cudaIpcCloseMemHandle(ptr), "cudaIpcCloseMemHandle")
        else:
            self.check(self.lib.cudaFree(ptr), "cudaFree")


def answer(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    lib, why = load_runtime()
    cuda = None
    if lib is not None:
        try:
            cuda = Cuda(lib)
            if cuda.device_count() == 0:
                why, cuda = "no CUDA device is visible", None
        except Exception as error:  # noqa: BLE001 - any failure here means no usable CUDA
            why, cuda = str(error), None
    for line in sys.stdin:
        if not line.strip():
            continue
        request = {}
        try:
            request = json.loads(line)
            op = request.get("op")
            rid = request.get("id")
            if op == "probe":
                if cuda is None:
                    answer({"id": rid, "ok": False, "error": why})
                else:
                    answer({"id": rid, "ok": True, "devices": cuda.device_count(), "runtime": cuda.runtime_version()})
                continue
            if cuda is None:
                raise RuntimeError(why)
            if op == "create":
                key, handle = cuda.create(int(request["size"]), int(request["device"]))
                answer({"id": rid, "ok": True, "allocation": key, "handle": handle})
            elif op == "open":
                key = cuda.open(base64.b64decode(request["handle"]), int(request["device"]), int(request["size"]))
                answer({"id": rid, "ok": True, "allocation": key})
            elif op == "write":
                cuda.write(int(request["allocation"]), int(request["offset"]), base64.b64decode(request["data"]))
                answer({"id": rid, "ok": True})
            elif op == "read":
                data = cuda.read(int(request["allocation"]), int(request["offset"]), int(request["size"]))
                answer({"id": rid, "ok": True, "data": base64.b64encode(data).decode("ascii")})
            elif op == "free":
                cuda.free(int(request["allocation"]))
                answer({"id": rid, "ok": True})
            else:
                raise ValueError(f"unknown operation {op!r}")
        except Exception as error:  # noqa: BLE001 - every failure is answered, the helper keeps running
            answer({"id": request.get("id") if isinstance(request, dict) else None, "ok": False, "error": str(error)})


if __name__ == "__main__":
    main()
