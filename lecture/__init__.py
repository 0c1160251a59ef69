"""The `lecture` tool over scenes and engine: the command (cli), options, rendering, voice, output, checks,
drafts from notebooks, the studio, the cluster, and the one seam to manim's private parts (docs/architecture.md)."""


class UserError(Exception):
    """Bad input from the user: printed as one line, exit status 2, nothing written."""


def show(scene: str, quality: str = "l", **options):
    """Render a scene and display it inline in Jupyter (`lecture.jupyter.show`)."""
    from lecture.jupyter import show as render_and_show  # IPython only when asked

    return render_and_show(scene, quality, **options)
