"""csocket: Python's socket module, written again in C.

A drop-in: ``import csocket as socket`` runs code written against the
socket documentation unchanged.  Everything is implemented in the C
extension ``csocket._csocket``; this file only re-exports it and builds
the enum classes (as the stdlib does, with IntEnum._convert_).
"""

from enum import IntEnum as _IntEnum, IntFlag as _IntFlag

from . import _csocket

# Every name of the extension, the private ones that libraries reach for
# (_GLOBAL_DEFAULT_TIMEOUT, _GiveupOnSendfile, ...) included.
globals().update({k: v for k, v in vars(_csocket).items()
                  if not k.startswith('__')})

AddressFamily = _IntEnum._convert_(
    'AddressFamily', __name__,
    lambda C: C.isupper() and C.startswith('AF_'), source=_csocket)
SocketKind = _IntEnum._convert_(
    'SocketKind', __name__,
    lambda C: C.isupper() and C.startswith('SOCK_'), source=_csocket)
MsgFlag = _IntFlag._convert_(
    'MsgFlag', __name__,
    lambda C: C.isupper() and C.startswith('MSG_'), source=_csocket)
AddressInfo = _IntFlag._convert_(
    'AddressInfo', __name__,
    lambda C: C.isupper() and C.startswith('AI_'), source=_csocket)

_csocket._register_enums(AddressFamily, SocketKind, MsgFlag, AddressInfo)

__all__ = sorted(
    name for name in globals()
    if not name.startswith('_') and name not in ('annotations',)
)
