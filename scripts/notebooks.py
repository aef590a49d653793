"""Executes one notebook with Jupyter (nbclient).

Run by scripts/lib/notebooks.mjs with a Python that has nbclient and ipykernel (the project's
venv build/venv/jupyter, or one QUANTLAB_PYTHON names). The kernel runs with its working directory set to the
notebook's own folder, so `import "@quantlab/core"` resolves through notebooks/node_modules.

Usage:
  notebooks.py run NOTEBOOK --out-dir DIR --kernel NAME [--timeout S] [--failed-dir DIR]
  notebooks.py install-kernel SPEC_DIR NAME   (registers SPEC_DIR for the current user)

A failure names the cell that was executing when it came (the kernel died, the cell timed out,
or it raised), with its source and its error. After the last cell the runner executes
END_OF_NOTEBOOK, which waits for the timers the cells started (scripts/lib/kernel.mjs) so that a
promise that rejects late fails the run too.

Exit codes: 0 ok, 1 a cell failed or the notebook is malformed, 2 bad usage.
"""

import argparse
import json
import os
import re
import sys
import time
import warnings

from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


# Executed after the last cell: waits for the timeouts the cells started, then the kernel
# (scripts/lib/kernel.mjs, its GLOBAL) fails it if an error nobody handled came meanwhile.
END_OF_NOTEBOOK = 'await Reflect.get(globalThis, Symbol.for("quantlab.kernel")).settle();'


def clean(text):
    return ANSI.sub("", text).strip()


def indent(text):
    return "\n".join("    " + line for line in text.splitlines())


def describe_failure(cells, index, error, timeout):
    """Names the cell that was executing (index into cells, or None before any), with its source
    and its error output.

    tslab reports a failed cell as stderr text with an "error" execute reply (no error output), so
    the cell's stderr is the error; a dead kernel or a timeout leaves only nbclient's exception.
    """
    if index is None:
        return f"{type(error).__name__} before any cell ran:\n{indent(clean(str(error)))}"
    cell = cells[index]
    shown = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            shown.append("\n".join(output.get("traceback", [])) or output.get("evalue", ""))
        elif output.get("output_type") == "stream" and output.get("name") == "stderr":
            shown.append(output.get("text", ""))
    detail = clean("\n".join(shown))
    if isinstance(error, CellTimeoutError):
        detail = "\n".join(filter(None, [f"timed out after {timeout} s", detail]))
    elif isinstance(error, DeadKernelError):
        detail = "\n".join(filter(None, [f"the kernel died ({clean(str(error))})", detail]))
    elif not detail:
        detail = clean(str(error))
    if index == len(cells) - 1 and cell.source == END_OF_NOTEBOOK:
        return f"after the last cell (waiting for the timers the cells started):\n  error:\n{indent(detail)}"
    return f"cell {index + 1} failed:\n{indent(cell.source)}\n  error:\n{indent(detail)}"


def run(args):
    import nbformat
    from nbclient import NotebookClient

    # Notebooks written by hand (not by Jupyter) may lack cell ids; nbformat adds them.
    warnings.filterwarnings("ignore", message=".*missing an id field.*")

    path = os.path.abspath(args.notebook)
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)

    spec = nb.metadata.get("kernelspec", {}).get("name")
    if spec != args.kernel:
        wanted = {"name": args.kernel, "display_name": "TypeScript (quantlab)", "language": "typescript"}
        fail(
            f"{args.notebook}: metadata.kernelspec.name is {json.dumps(spec)}; expected "
            f"{json.dumps(args.kernel)}. Set the notebook's metadata to\n"
            f'  "kernelspec": {json.dumps(wanted)}\n(see README.md, "Notebooks in Jupyter")'
        )

    os.makedirs(args.out_dir, exist_ok=True)
    failed_dir = args.failed_dir or args.out_dir
    # The cell being executed: nbclient calls on_cell_start before it sends a cell to the kernel.
    executing = {"index": None}

    def on_cell_start(cell, cell_index):
        executing["index"] = cell_index

    end = nbformat.v4.new_code_cell(source=END_OF_NOTEBOOK)
    nb.cells.append(end)
    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        startup_timeout=120,
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": os.path.dirname(path)}},
        on_cell_start=on_cell_start,
        # The kernel keeps nothing worth a graceful shutdown, which tslab takes seconds over.
        shutdown_kernel="immediate",
    )
    start = time.monotonic()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        message = describe_failure(nb.cells, executing["index"], error, args.timeout)
        nb.cells = [cell for cell in nb.cells if cell is not end]
        os.makedirs(failed_dir, exist_ok=True)
        failed = os.path.join(failed_dir, name + ".failed.ipynb")
        nbformat.write(nb, failed)
        fail(f"{args.notebook}: {message}\n(partially executed copy: {os.path.relpath(failed)})")
    seconds = time.monotonic() - start
    nb.cells = [cell for cell in nb.cells if cell is not end]

    executed = os.path.join(args.out_dir, name + ".ipynb")
    nbformat.write(nb, executed)

    print(json.dumps({"notebook": args.notebook, "seconds": round(seconds, 2)}))


def install_kernel(args):
    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelSpecManager()
    wanted = open(os.path.join(args.spec_dir, "kernel.json"), encoding="utf-8").read()
    user_dir = os.path.join(manager.user_kernel_dir, args.name)
    current = os.path.join(user_dir, "kernel.json")
    if os.path.exists(current) and open(current, encoding="utf-8").read() == wanted:
        print(f"unchanged {user_dir}")
        return
    print("installed " + manager.install_kernel_spec(args.spec_dir, args.name, user=True, replace=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("notebook")
    run_parser.add_argument("--out-dir", required=True)
    run_parser.add_argument("--kernel", required=True)
    run_parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    run_parser.add_argument("--failed-dir", default="", help="for NAME.failed.ipynb (default: --out-dir)")
    install_parser = sub.add_parser("install-kernel")
    install_parser.add_argument("spec_dir")
    install_parser.add_argument("name")
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    else:
        install_kernel(args)


if __name__ == "__main__":
    main()
