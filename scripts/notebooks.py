"""Executes one notebook with Jupyter (nbclient) and optionally exports it to HTML.

Run by scripts/lib/notebooks.mjs with a Python that has nbconvert, nbclient and ipykernel
(Debian's /usr/bin/python3). The kernel runs with its working directory set to the
notebook's own folder, so `import "@quantlab/core"` resolves through notebooks/node_modules.

Usage:
  notebooks.py run NOTEBOOK --out-dir DIR --kernel NAME [--timeout S] [--html]
               [--mathjax-url URL]
  notebooks.py install-kernel SPEC_DIR NAME   (registers SPEC_DIR for the current user)

Exit codes: 0 ok, 1 a cell failed or the notebook is malformed, 2 bad usage.
"""

import argparse
import json
import os
import re
import sys
import time
import warnings

from nbclient.exceptions import CellTimeoutError

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def describe_failure(nb, error):
    """Names the failed cell and shows its source and error output.

    tslab reports a failed cell as stderr text with an "error" execute reply (no error output),
    so the failed cell is the last one that was run.
    """
    ran = [
        (number, cell)
        for number, cell in enumerate(nb.cells, start=1)
        if cell.cell_type == "code" and cell.get("execution_count") is not None
    ]
    if not ran:
        return f"{type(error).__name__} before any cell ran:\n{ANSI.sub('', str(error)).strip()}"
    number, cell = ran[-1]
    shown = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            shown.append("\n".join(output.get("traceback", [])) or output.get("evalue", ""))
        elif output.get("output_type") == "stream" and output.get("name") == "stderr":
            shown.append(output.get("text", ""))
    detail = ANSI.sub("", "\n".join(shown)).strip() or ANSI.sub("", str(error)).strip()
    if isinstance(error, CellTimeoutError):
        detail = f"timed out ({detail})"
    source = "\n".join("    " + line for line in cell.source.splitlines())
    return f"cell {number} failed:\n{source}\n  error:\n" + "\n".join(
        "    " + line for line in detail.splitlines()
    )


def run(args):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

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
    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout,
        startup_timeout=120,
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": os.path.dirname(path)}},
    )
    start = time.monotonic()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        failed = os.path.join(args.out_dir, name + ".failed.ipynb")
        nbformat.write(nb, failed)
        fail(f"{args.notebook}: {describe_failure(nb, error)}\n"
             f"(partially executed copy: {os.path.relpath(failed)})")
    seconds = time.monotonic() - start

    executed = os.path.join(args.out_dir, name + ".ipynb")
    nbformat.write(nb, executed)

    if args.html:
        from nbconvert import HTMLExporter

        templates = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nbconvert")
        exporter = HTMLExporter(template_name="quantlab", extra_template_basedirs=[templates])
        if args.mathjax_url:
            exporter.mathjax_url = args.mathjax_url
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
        with open(os.path.join(args.out_dir, name + ".html"), "w", encoding="utf-8") as out:
            out.write(body)

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
    run_parser.add_argument("--html", action="store_true")
    run_parser.add_argument("--mathjax-url", default="")
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
