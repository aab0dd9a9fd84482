"""Step 5: write outputs atomically.

Everything is built in a staging folder under .build/; only when the whole
build succeeded is it swapped in place of the published folder. A failure at
any point leaves the previous outputs exactly as they were and removes the
staging folder.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def check_target(target: Path) -> None:
    """Refuse, before anything is built, to publish over something that is not an
    output folder: a file of that name is never deleted without a word."""
    from .errors import BuildError
    name = target.name
    if target.is_symlink() and not target.exists():
        raise BuildError(f"{name} est un lien symbolique vers un dossier qui n'existe pas "
                         f"({os.readlink(target)}) : créez ce dossier ou retirez le lien")
    if target.exists() and not target.is_dir():
        raise BuildError(f"{name} existe déjà et n'est pas un dossier : renommez ou déplacez "
                         f"ce fichier, la construction écrit dans le dossier {name}/")


def swap_in(new: Path, target: Path) -> None:
    """Replace the folder `target` by `new` in one step.

    A `target` that is a symbolic link (to a hosting folder, say) stays a link: the
    folder it points to is the one replaced. Any failure (read-only or immutable
    folder, full disk) is a French error and leaves `target` as it was."""
    from .errors import BuildError, describe_os_error
    check_target(target)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.stat(new).st_dev != os.stat(target.parent).st_dev:
            # Another file system (a mounted host folder): copy next to it first.
            near = target.with_name(f".{target.name}.nouveau-{os.getpid()}")
            _remove(near)
            shutil.copytree(new, near, symlinks=True)
            _remove(new)
            new = near
        if target.exists() and _exchange(new, target):
            _remove(new)  # `new` now holds the previous version
            return
        if target.exists():
            old = target.with_name(f".{target.name}.ancien-{os.getpid()}")
            os.replace(target, old)
            try:
                os.replace(new, target)
            except OSError:
                os.replace(old, target)  # put the previous version back
                raise
            _remove(old)
        else:
            os.replace(new, target)
    except OSError as exc:
        raise BuildError(f"impossible de remplacer {target.name}/ ({describe_os_error(exc)}) : "
                         "la version précédente est intacte") from None

def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(base: Path) -> None:
    """Remove staging folders left by a build that was killed (its process is gone)."""
    for path in base.glob("construction-*"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            _remove(path)


@contextlib.contextmanager
def staging(root: Path, on_stop=None) -> Iterator[Path]:
    """A fresh folder under .build/ removed whatever happens (SIGTERM, Ctrl+C included).

    `on_stop` is called first when the build is stopped (the render processes must be
    gone before their output folder is)."""
    import signal
    base = root / ".build"
    base.mkdir(exist_ok=True)
    clean_stale(base)
    path = Path(tempfile.mkdtemp(prefix=f"construction-{os.getpid()}-", dir=base))

    def terminate(_signum, _frame):
        if on_stop is not None:
            on_stop()  # before the staging folder goes: no process may write into it
        raise SystemExit(143)

    def interrupt(signum, frame):  # Ctrl+C: the same, at once, whatever is rendering
        if on_stop is not None:
            on_stop()
        outer = previous.get(signal.SIGINT)
        if callable(outer):  # the command line's (it also bounds how long stopping takes)
            outer(signum, frame)
        raise KeyboardInterrupt

    handlers = {signal.SIGTERM: terminate, signal.SIGINT: interrupt}
    previous: dict = {}
    try:
        for signum, handler in handlers.items():
            previous[signum] = signal.signal(signum, handler)
    except ValueError:  # not in the main thread
        pass
    try:
        yield path
    finally:
        _remove(path)
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)
