"""Write the seed corpus of each harness into corpus/<harness>/.

The seeds are small, valid-looking inputs from which libFuzzer mutates;
rerun after changing a harness's input format:  python3 fuzz/gen_corpus.py
The checked-in corpus is these seeds merged with what long runs found
(`make -C fuzz long merge`, which keeps only inputs that add coverage).
"""
import hashlib
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(harness, blobs):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    for b in blobs:
        name = hashlib.sha1(b).hexdigest()[:16]
        with open(os.path.join(d, name), "wb") as f:
            f.write(b)


INET_TEXT = [
    "1.2.3.4", "255.255.255.255", "0.0.0.0", "01.2.3.4", "1.2.3", "1",
    "0x7f.1", "0177.0.0.1", "4294967295", "1.2.3.4 junk", "1.2.3.4\0x",
    "::", "::1", "1:2:3:4:5:6:7:8", "1::8", "::ffff:1.2.3.4",
    "::1.2.3.4", "fe80::1%lo", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
    "1:2:3:4:5:6:1.2.3.4", "12345::", ":::", "1.2.3.4.5", "",
]
INET_BIN = [bytes(16), bytes(10) + b"\xff\xff\x01\x02\x03\x04",
            bytes(12) + b"\x01\x02\x03\x04", b"\x20\x01\x0d\xb8" + bytes(11)
            + b"\x01", b"\x00\x01" * 8, bytes(range(16))]


def addr_seeds():
    out = []

    def op(n, data, length=None):
        if length is None:
            length = len(data)
        out.append(bytes([n]) + struct.pack("<H", length) + data)

    sin = struct.pack("=H", socket.AF_INET) + struct.pack(">H", 80) + \
        bytes([127, 0, 0, 1]) + bytes(8)
    sin6 = struct.pack("=H", socket.AF_INET6) + struct.pack(">HI", 443, 5) \
        + bytes(15) + b"\x01" + struct.pack("=I", 2)
    sun = struct.pack("=H", socket.AF_UNIX) + b"/tmp/sock\0"
    sun_abs = struct.pack("=H", socket.AF_UNIX) + b"\0abstract"
    nl = struct.pack("=HHII", socket.AF_NETLINK, 0, 1234, 1)
    ll = struct.pack("=HHiHBB", socket.AF_PACKET, 0x0800, 1, 1, 0, 6) + \
        b"\x01\x02\x03\x04\x05\x06\0\0"
    alg = struct.pack("=H", 38) + b"hash".ljust(14, b"\0") + \
        struct.pack("=II", 0, 0) + b"sha256".ljust(64, b"\0")
    for sa in (sin, sin6, sun, sun_abs, nl, ll, alg):
        op(0, sa)
        op(0, sa, len(sa) + 40)
        op(0, sa[:3])
    for p in (b"/tmp/x", b"\0abstract", b"x" * 107, b"\0" + b"y" * 107,
              b"a\0b", b""):
        op(1, p)
    for h in (b"127.0.0.1", b"::1", b"<broadcast>", b"255.255.255.255",
              b"localhost", b"1.2.3"):
        op(2, h, 0)
        op(2, h, 1)
        op(2, h, 2)
    op(3, struct.pack("=6I", 1, 2, 3, 4, 5, 6), 6)
    op(3, struct.pack("=6I", 2, 0x800, 1, 0, 0, 7), 1)
    op(4, b"hashsha256", 4)
    op(4, b"skciphercbc(aes)", 8)
    op(5, b"01:23:45:67:89:AB")
    op(5, b"1:2:3:4:5:6")
    return out


def cmsg_seeds():
    out = []
    hdr = struct.Struct("=Qii")     # struct cmsghdr on LP64 Linux

    def item(level, type_, data):
        pad = (-len(data)) % 8
        return hdr.pack(hdr.size + len(data), level, type_) + data + \
            bytes(pad)

    rights = item(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                  struct.pack("=3i", 0, 1, 2))
    creds = item(socket.SOL_SOCKET, socket.SCM_CREDENTIALS,
                 struct.pack("=iII", 1, 0, 0))
    tclass = item(socket.IPPROTO_IPV6, socket.IPV6_TCLASS,
                  struct.pack("=i", 5))
    for skew in (0, 1, 3):
        out.append(bytes([skew]) + rights)
        out.append(bytes([skew]) + rights + creds + tclass)
        out.append(bytes([skew]) + rights[:-6])
        out.append(bytes([skew]) + hdr.pack(4, 1, 1))
        out.append(bytes([skew]) + hdr.pack(1 << 31, 1, 1) + b"abc")
    # Build half: controllen (2 bytes), then level+128, type, len, data.
    out.append(b"\0\x10\x40" + bytes([129, 1, 3]) + b"abc" +
               bytes([128, 2, 0]))
    out.append(b"\0\x02\x81\x01\x0cxxxxxxxxxxxx")
    return out


write("inet", [t.encode("latin-1") for t in INET_TEXT] + INET_BIN)
write("addr", addr_seeds())
write("cmsg", cmsg_seeds())
