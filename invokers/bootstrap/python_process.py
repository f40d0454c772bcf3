"""The worker process around the Python bootstrap: the handler's import path, and the environment's end
when the engine goes away (no orphans).

Part of the bootstrap (``python_runtime.py`` loads it by path, as ``svl_python_process``): it runs in
the worker, imports nothing of svl-tui, and its folder is never on the handler's import path.
"""

import builtins
import os
import sys


def set_import_path(task_root, built, sites):
    """The code root first, then what the engine built (``built``: layers, the project's virtualenv, the
    bundled SDK; ``sites``: which of them are virtualenvs, as ``os.pathsep``-joined text).

    The engine starts us with ``-S``, so nothing else of the machine's is importable;
    without ``SVL_PYTHON_PATH`` (another launcher, ``built`` None) only the code root is put first.
    """
    rest = sys.path[1:]
    if built is None:
        sys.path[0] = task_root
        return
    sites = set(filter(None, sites.split(os.pathsep)))
    path = [task_root]
    for entry in filter(None, built.split(os.pathsep)):
        if entry in sites:  # a virtualenv: its .pth files (editable installs) count, as with site-packages
            import site

            mark = len(sys.path)
            site.addsitedir(entry)
            path.extend(sys.path[mark:])
            del sys.path[mark:]
        else:
            path.append(entry)
    sys.path[:] = path + [entry for entry in rest if entry not in path]
    if not hasattr(builtins, "exit"):  # -S also skips these two builtins, which handlers may call
        import _sitebuiltins

        builtins.exit = _sitebuiltins.Quitter("exit", "Ctrl-D (i.e. EOF)")
        builtins.quit = _sitebuiltins.Quitter("quit", "Ctrl-D (i.e. EOF)")


def watch_parent(runtime_api):
    """When the engine goes away (its end of our stdin closes), end this environment: no orphans.

    The pipe moves off fd 0, which becomes /dev/null: a handler reading stdin
    gets end of file at once, as on Lambda, instead of our pipe.
    """
    import threading

    watch_fd = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    def wait():
        try:
            while os.read(watch_fd, 4096):
                pass
        except OSError:
            pass
        end_environment(runtime_api)

    threading.Thread(target=wait, daemon=True).start()


def end_environment(runtime_api):
    """Kill every process carrying this environment's key (the handler's children, setsid daemons included:
    they inherit AWS_LAMBDA_RUNTIME_API, ``runtime_api``), then our own process group, ourselves with it."""
    # Only a whole entry AWS_LAMBDA_RUNTIME_API=<this address with its 128-bit key> marks a process of this
    # environment: a short or missing key (the bootstrap run by hand) must never match other processes.
    key = runtime_api.partition("/")[2]
    mark = b"\0AWS_LAMBDA_RUNTIME_API=" + runtime_api.encode() + b"\0"
    me = os.getpid()
    if len(key) >= 32 and os.path.isdir("/proc"):
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == me:
                continue
            try:
                with open(f"/proc/{name}/environ", "rb") as environ:
                    if mark in b"\0" + environ.read():
                        os.kill(int(name), 9)
            except OSError:
                pass
    try:
        os.killpg(os.getpgrp(), 9)
    except OSError:
        pass
    os._exit(0)
