"""A function of (x, y) drawn as 3Blue1Brown draws a landscape: one raster heatmap with filled contour
bands under a pair of axes, a colour bar, and gradient arrows.

The heatmap is a single image computed with numpy (thousands of vector squares render about 3x
slower), banded into contour levels like the notebook's `plt.contourf(levels=20)`.
"""
from __future__ import annotations

import numpy as np
from PIL import Image as PILImage, ImageDraw
from manim import (DOWN, LEFT, RIGHT, UP, Arrow, Axes, Group, ImageMobject, ManimColor, MathTex, Rectangle,
                   Line, ValueTracker, VGroup, VMobject, config)
from manim.utils.color import color_to_rgb

from engine import Field, sample_surface
from engine.field import evaluate_on_grid
from engine.notebook import NOTEBOOK_CONTOUR_LEVELS
from scenes.kit.formatting import scale_tex
from scenes.kit.theme import Theme

HEATMAP_RESOLUTION = 360  # samples per axis: sharp at 1080p for a plot about 6 units tall


def colormap(theme: Theme, t: np.ndarray) -> np.ndarray:
    """RGB floats for values t in [0, 1], interpolated through the theme's surface colours."""
    stops = np.array([color_to_rgb(c) for c in theme.surface])
    positions = np.linspace(0, 1, len(stops))
    return np.stack([np.interp(t, positions, stops[:, k]) for k in range(3)], axis=-1)


def contour_levels(z: np.ndarray, levels: int = NOTEBOOK_CONTOUR_LEVELS) -> np.ndarray:
    """`levels` + 1 evenly spaced boundaries over the finite values of z."""
    finite = z[np.isfinite(z)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return np.linspace(lo, hi if hi > lo else lo + 1, levels + 1)


def heatmap_pixels(surface: Field, theme: Theme, levels: int = NOTEBOOK_CONTOUR_LEVELS) -> np.ndarray:
    """RGBA uint8 image of the banded surface, top row = largest y; undefined points transparent."""
    bounds = contour_levels(surface.z, levels)
    band = np.clip(np.digitize(np.nan_to_num(surface.z, nan=bounds[0]), bounds[1:-1]), 0, levels - 1)
    rgb = colormap(theme, (band + 0.5) / levels)
    alpha = np.where(surface.mask, 0.0, 1.0)[..., None]
    rgba = np.concatenate([rgb, alpha], axis=-1)
    return (np.flipud(rgba) * 255).round().astype(np.uint8)


class SurfacePlot(Group):
    """The heatmap of f over [x_range] x [y_range] in a framed box with ticks on the left and bottom,
    as in a matplotlib contour plot. Move it as one piece; `point(x, y)` maps data to the frame.

    `self.heatmap` (ImageMobject), `self.frame` (border and ticks), `self.axes` (invisible, for
    coordinates), `self.surface` (the sampled Field), `self.levels` (contour boundaries).

    Example (rendered by tests/test_widget_examples.py)::

        from manim import Scene
        from engine.expression import parse_function
        from scenes.kit.theme import DARK
        from scenes.widgets.surface import SurfacePlot

        class SurfacePlotExample(Scene):
            def construct(self):
                plot = SurfacePlot(parse_function("x**2 + 3*y**2"), (-2, 2), (-2, 2), DARK, height=6)
                self.add(plot, plot.axis_labels())
    """

    def __init__(self, f, x_range: tuple[float, float], y_range: tuple[float, float], theme: Theme,
                 height: float = 6.0, levels: int = NOTEBOOK_CONTOUR_LEVELS, resolution: int = HEATMAP_RESOLUTION):
        x_span, y_span = x_range[1] - x_range[0], y_range[1] - y_range[0]
        width = height * x_span / y_span
        self.theme = theme
        self.axes = Axes(x_range=[x_range[0], x_range[1], nice_step(x_span)],
                         y_range=[y_range[0], y_range[1], nice_step(y_span)],
                         x_length=width, y_length=height, tips=False)
        self.surface = sample_surface(f, x_range, y_range, resolution)
        self.levels = contour_levels(self.surface.z, levels)
        self.heatmap = ImageMobject(heatmap_pixels(self.surface, theme, levels))
        self.heatmap.stretch_to_fit_width(width).stretch_to_fit_height(height)
        border = Rectangle(width=width, height=height, stroke_color=theme.muted, stroke_width=1.5)
        self.heatmap.move_to(border)
        self.axes.move_to(border).set_opacity(0)  # only for coordinates; the frame is drawn instead
        self.frame = VGroup(border, self._ticks(x_range, y_range, border))
        super().__init__(self.heatmap, self.frame, self.axes)

    def _ticks(self, x_range, y_range, border) -> VGroup:
        """Tick marks and numbers along the bottom (x) and left (y) edges."""
        ticks = VGroup()
        for axis, (lo, hi) in enumerate((x_range, y_range)):
            step = nice_step(hi - lo)
            for value in np.arange(np.ceil(lo / step) * step, hi + step / 2, step):
                value = 0.0 if abs(value) < 1e-9 else float(value)
                label = MathTex(f"{value:g}", font_size=self.theme.small_size, color=self.theme.muted)
                if axis == 0:
                    at = np.array([self.axes.c2p(value, y_range[0])[0], border.get_bottom()[1], 0])
                    ticks.add(Line(at, at + UP * 0.1, color=self.theme.muted, stroke_width=1.5), label.next_to(at, DOWN, buff=0.12))
                else:
                    at = np.array([border.get_left()[0], self.axes.c2p(x_range[0], value)[1], 0])
                    ticks.add(Line(at, at + RIGHT * 0.1, color=self.theme.muted, stroke_width=1.5), label.next_to(at, LEFT, buff=0.12))
        return ticks

    def axis_labels(self, x: str = "x", y: str = "y") -> VGroup:
        """LaTeX axis names below and left of the tick numbers."""
        ticks = self.frame[1]
        xl = MathTex(x, font_size=self.theme.label_size, color=self.theme.text).next_to(ticks, DOWN, buff=0.1)
        yl = MathTex(y, font_size=self.theme.label_size, color=self.theme.text).next_to(ticks, LEFT, buff=0.15)
        return VGroup(xl.set_x(self.frame[0].get_x()), yl.set_y(self.frame[0].get_y()))

    def point(self, x: float, y: float) -> np.ndarray:
        return self.axes.c2p(x, y)

    def colorbar(self, label: str, height: float | None = None, width: float = 0.25) -> VGroup:
        """A banded colour bar with min/max ticks and a LaTeX label, to place beside the plot."""
        levels = len(self.levels) - 1
        height = height or self.axes.y_length
        bands = VGroup(*(
            Rectangle(width=width, height=height / levels, stroke_width=0, fill_opacity=1,
                      fill_color=ManimColor(colormap(self.theme, np.array([(k + 0.5) / levels]))[0]))
            for k in range(levels)
        )).arrange(UP, buff=0)
        lo, hi = self.levels[0], self.levels[-1]
        ticks = VGroup(
            MathTex(scale_tex(hi, hi - lo), font_size=self.theme.small_size, color=self.theme.muted).next_to(bands, RIGHT, buff=0.1).align_to(bands, UP),
            MathTex(scale_tex(lo, hi - lo), font_size=self.theme.small_size, color=self.theme.muted).next_to(bands, RIGHT, buff=0.1).align_to(bands, DOWN),
        )
        caption = MathTex(label, font_size=self.theme.label_size, color=self.theme.text).rotate(np.pi / 2)
        caption.next_to(VGroup(bands, ticks), RIGHT, buff=0.15)
        return VGroup(bands, ticks, caption)

    def arrows(self, field: Field, color: str, max_length: float | None = None) -> VGroup:
        """One arrow per finite grid point of `field`, scaled so the longest is `max_length` units
        (default: 0.9 of the grid spacing on screen); lengths stay proportional to |gradient|."""
        spacing = abs(self.point(field.x[0, 1], 0)[0] - self.point(field.x[0, 0], 0)[0]) if field.x.shape[1] > 1 else 0.5
        max_length = max_length or 0.9 * spacing
        largest = float(np.nanmax(field.magnitude)) if np.isfinite(field.magnitude).any() else 0.0
        scale = max_length / largest if largest > 0 else 0.0
        group = VGroup()
        for x, y, u, v in zip(field.x.flat, field.y.flat, field.u.flat, field.v.flat):
            if not (np.isfinite(u) and np.isfinite(v)):
                continue
            start = self.point(x, y)
            delta = np.array([u, v, 0.0]) * scale
            group.add(gradient_arrow(start, start + delta, color))
        return group


def gradient_arrow(start: np.ndarray, end: np.ndarray, color: str, stroke_width: float = 3.0) -> Arrow:
    """An arrow whose tip shrinks with its length, so short gradients stay readable, not all tip."""
    length = float(np.linalg.norm(end - start))
    return Arrow(start, end if length > 1e-6 else start + RIGHT * 1e-6, buff=0, color=color,
                 stroke_width=stroke_width, max_tip_length_to_length_ratio=0.35,
                 max_stroke_width_to_length_ratio=12, tip_length=min(0.18, 0.4 * length + 0.02))


def nice_step(span: float) -> float:
    """A tick spacing of 1, 2 or 5 times a power of ten giving about 6 ticks over `span`."""
    raw = span / 6
    power = 10 ** np.floor(np.log10(raw))
    return float(min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(s - raw)))


def frame_fits(mobject, margin: float) -> bool:
    """True when the mobject lies inside the frame with `margin` units to spare on every side."""
    w, h = config.frame_width / 2 - margin, config.frame_height / 2 - margin
    return mobject.get_left()[0] >= -w and mobject.get_right()[0] <= w and mobject.get_bottom()[1] >= -h and mobject.get_top()[1] <= h


# --- the landscape in 3-D -------------------------------------------------------------------------
MESH_CELLS = 48  # quads per side of the 3-D mesh at least (more where the surface bends: `mesh_cells`)
MAX_MESH_CELLS = 128  # at most: each quad is a polygon painted every frame (105² paint in 69-79 ms at 480p)
MESH_BEND = 0.01  # a cell's centre may lie this share of the height range off the mean of its corners: at 48 cells
# sin(x² + y²) on [-3, 3]² missed by 4.7% and its ridges' outlines showed teeth a cell wide; 1% gives it 105 cells
LIGHT = np.array([-0.5, 0.6, 1.0]) / np.linalg.norm([-0.5, 0.6, 1.0])  # where the light comes from (fixed to the surface)
SUPERSAMPLE = 2  # the 3-D surface is painted at twice the output's resolution and halved: smooth edges
MESH_LINE_SHADE = 0.8  # the mesh lines (where drawn) are the face's colour, darker
SHADE_RANGE = (0.55, 1.15)  # a face's brightness against the same face lying flat: slopes read as depth
MESH_LIFT = 2.2  # screen height of the surface's whole z range at full lift


def mesh_cells(f, x_range: tuple[float, float], y_range: tuple[float, float], least: int = MESH_CELLS,
               most: int = MAX_MESH_CELLS, bend: float = MESH_BEND) -> int:
    """Quads per side for a mesh of f that stays within `bend` of the surface: a flat quad between four samples
    misses the surface at its centre by about h² f''/8, so the miss measured at `most` cells (98th percentile,
    a kink or a pole's few cells aside) grows as (most / n)² at n cells. A bowl keeps `least`; ripples get more."""
    z = evaluate_on_grid(f, np.linspace(*x_range, 2 * most + 1), np.linspace(*y_range, 2 * most + 1)).z
    corners = (z[:-2:2, :-2:2] + z[:-2:2, 2::2] + z[2::2, :-2:2] + z[2::2, 2::2]) / 4
    miss = np.abs(z[1::2, 1::2] - corners)
    miss, finite = miss[np.isfinite(miss)], z[np.isfinite(z)]
    if miss.size == 0 or finite.max() <= finite.min():
        return least
    share = float(np.quantile(miss, 0.98)) / float(finite.max() - finite.min())
    return int(np.clip(np.ceil(most * np.sqrt(share / bend)), least, most))


def _corner_paths(corners: np.ndarray) -> np.ndarray:
    """Bezier control points (n, 16, 3) of closed quads given their corners (n, 4, 3): straight edges."""
    a = corners
    b = np.roll(corners, -1, axis=1)
    thirds = np.stack([a, a + (b - a) / 3, a + 2 * (b - a) / 3, b], axis=2)  # (n, 4 edges, 4 points, 3)
    return thirds.reshape(len(corners), 16, 3)


class Landscape3D(Group):
    """The plot's function as a surface in 3-D: a mesh of quads coloured like the map's bands and shaded by a
    fixed light, projected orthographically and painted far to near (no camera of manim's: one image, redrawn
    with PIL each frame, the same with the project's renderer and stock manim's; thousands of vector quads
    would cost cairo a path each, about ten times the frame). Three trackers set the view: `turn` (radians
    about the vertical), `tilt` (radians, 0 = seen from straight above) and `lift` (the height's scale, 0 =
    flat). At turn = tilt = lift = 0, with `away` at 0, every point (x, y) lands where `plot.point(x, y)` puts
    it, in the map's own colours: that is how the surface flattens into the map.

    `scale_tracker` (1 = the map's size) sizes the picture about its centre: `at`, or the plot's middle;
    `away` (1 to 0) slides it from `at` back to the plot's middle. `opacity` fades it (use it, not FadeIn:
    the image is redrawn every frame). `project` and `screen(x, y, z)` map landscape points to the frame
    with the current view (the ball, its path).

    Example (rendered by tests/test_widget_examples.py)::

        from manim import Scene
        from engine.expression import parse_function
        from scenes.kit.theme import DARK
        from scenes.widgets.surface import Landscape3D, SurfacePlot

        class Landscape3DExample(Scene):
            def construct(self):
                f = parse_function("x**2 + 3*y**2")
                plot = SurfacePlot(f, (-2, 2), (-2, 2), DARK, height=6)
                land = Landscape3D(plot, f, DARK, lift=0.0)  # flat: exactly the map
                self.add(land)
                self.play(land.lift.animate.set_value(1.0), land.turn.animate.set_value(-0.8))  # rises, turns
    """

    def __init__(self, plot: SurfacePlot, f, theme: Theme, cells: int | None = None, lift_height: float = MESH_LIFT,
                 turn: float = -0.5, tilt: float = 1.05, lift: float = 1.0, scale: float = 1.0,
                 at: np.ndarray | None = None, mesh_lines: bool = False, opacity: float = 1.0):
        super().__init__()
        x_range = (plot.axes.x_range[0], plot.axes.x_range[1])
        y_range = (plot.axes.y_range[0], plot.axes.y_range[1])
        self.cells = cells = cells or mesh_cells(f, x_range, y_range)
        xs, ys = np.linspace(*x_range, cells + 1), np.linspace(*y_range, cells + 1)
        field = evaluate_on_grid(f, xs, ys)
        middle = np.array(plot.point((x_range[0] + x_range[1]) / 2, (y_range[0] + y_range[1]) / 2))
        self.origin = np.array(plot.point(x_range[0], y_range[0])) - middle
        self.middle = middle
        self.centre = middle if at is None else np.asarray(at, dtype=float)
        self.unit = np.array([plot.point(x_range[1], y_range[0])[0] - plot.point(x_range[0], y_range[0])[0],
                              plot.point(x_range[0], y_range[1])[1] - plot.point(x_range[0], y_range[0])[1]]) \
            / np.array([x_range[1] - x_range[0], y_range[1] - y_range[0]])
        self.x_lo, self.y_lo = x_range[0], y_range[0]
        lo, hi = plot.levels[0], plot.levels[-1]
        self.z_lo, self.z_hi = lo, hi
        self.z_mid, self.z_unit = (lo + hi) / 2, lift_height / (hi - lo if hi > lo else 1.0)
        gx, gy = np.meshgrid(xs, ys)
        points = np.stack([gx, gy, np.nan_to_num(field.z, nan=self.z_mid)], axis=-1)  # rows follow y
        corners = np.stack([points[:-1, :-1], points[:-1, 1:], points[1:, 1:], points[1:, :-1]], axis=2)
        finite = np.isfinite(field.z)
        keep = (finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, 1:] & finite[1:, :-1]).ravel()
        self.corners = corners.reshape(-1, 4, 3)[keep]
        levels = len(plot.levels) - 1
        band = np.clip(np.digitize(self.corners[:, :, 2].mean(axis=1), plot.levels[1:-1]), 0, levels - 1)
        self.rgb = colormap(theme, (band + 0.5) / levels)
        self.mesh_lines = mesh_lines
        self.image = ImageMobject(np.zeros((2, 2, 4), dtype=np.uint8))
        self.add(self.image)
        self.turn, self.tilt, self.lift, self.scale_tracker, self.away, self.opacity = (
            ValueTracker(v) for v in (turn, tilt, lift, scale, 1.0, opacity))
        self.redraw()
        self.add_updater(lambda m: m.redraw())

    def view(self) -> tuple[float, float, float, float]:
        return (self.turn.get_value(), self.tilt.get_value(), self.lift.get_value(), self.scale_tracker.get_value())

    def project(self, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Screen points and depths (larger = nearer the viewer) of landscape points (..., 3)."""
        turn, tilt, lift, scale = self.view()
        local_x = self.origin[0] + (xyz[..., 0] - self.x_lo) * self.unit[0]
        local_y = self.origin[1] + (xyz[..., 1] - self.y_lo) * self.unit[1]
        local_z = (xyz[..., 2] - self.z_mid) * self.z_unit * lift
        c, s = np.cos(turn), np.sin(turn)
        x1, y1 = c * local_x - s * local_y, s * local_x + c * local_y
        screen_x = x1
        screen_y = y1 * np.cos(tilt) + local_z * np.sin(tilt)
        depth = -y1 * np.sin(tilt) + local_z * np.cos(tilt)
        centre = self.middle + self.away.get_value() * (self.centre - self.middle)
        screen = np.stack([screen_x, screen_y, np.zeros_like(screen_x)], axis=-1) * scale + centre
        return screen, depth

    def shading(self) -> np.ndarray:
        """RGBA per quad: its band's colour, darker where it faces away from the light; exactly the band's
        colour when flat, so the flattened surface is the map."""
        lift = self.lift.get_value()
        c = self.corners
        local = np.stack([(c[..., 0] - self.x_lo) * self.unit[0], (c[..., 1] - self.y_lo) * self.unit[1],
                          (c[..., 2] - self.z_mid) * self.z_unit * lift], axis=-1)
        normal = np.cross(local[:, 2] - local[:, 0], local[:, 3] - local[:, 1])
        normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-12
        shade = np.clip(np.abs(normal @ LIGHT) / LIGHT[2], *SHADE_RANGE)
        rgb = np.clip(self.rgb * shade[:, None], 0, 1)
        return np.concatenate([rgb, np.ones((len(rgb), 1))], axis=1)

    def screen(self, x: float, y: float, z: float) -> np.ndarray:
        return self.project(np.array([x, y, z], dtype=float))[0]

    def redraw(self) -> None:
        """Paint the mesh far to near at twice the output's resolution, then halve it (edges antialiased)."""
        screen, depth = self.project(self.corners)
        order = np.argsort(depth.mean(axis=1), kind="stable")  # far quads first: the near ones cover them
        per_unit = SUPERSAMPLE * config.pixel_width / config.frame_width
        lo, hi = screen[..., :2].reshape(-1, 2).min(axis=0) - 1 / per_unit, screen[..., :2].reshape(-1, 2).max(axis=0) + 1 / per_unit
        size = np.maximum(2, np.ceil((hi - lo) * per_unit / SUPERSAMPLE).astype(int) * SUPERSAMPLE)
        canvas = PILImage.new("RGBA", (int(size[0]), int(size[1])), (0, 0, 0, 0))
        draw = ImageDraw.Draw(canvas)
        px = (screen[..., 0] - lo[0]) * per_unit
        py = (hi[1] - screen[..., 1]) * per_unit
        colours = (self.shading() * 255).round().astype(np.uint8)[order]
        outlines = None
        if self.mesh_lines:
            outlines = colours.copy()
            outlines[:, :3] = (colours[:, :3] * MESH_LINE_SHADE).astype(np.uint8)
            outlines[:, 3] = 255
        paint_quads(draw, np.stack([px, py], axis=-1)[order].reshape(len(order), 8).tolist(), colours, outlines)
        pixels = np.array(canvas.reduce(SUPERSAMPLE))
        opacity = self.opacity.get_value()
        if opacity < 1:
            pixels[..., 3] = (pixels[..., 3] * max(0.0, opacity)).astype(np.uint8)
        self.image.pixel_array = pixels
        w, h = (size / per_unit)
        x0, y1 = lo[0], hi[1]
        self.image.points = np.array([[x0, y1, 0], [x0 + w, y1, 0], [x0, y1 - h, 0], [x0 + w, y1 - h, 0]], dtype=float)

    def fit_into(self, left: float, right: float, bottom: float, top: float, turns: tuple[float, ...] = ()) -> None:
        """Size and centre the view (at full lift, tilted as now, turned as now or by each of `turns`, as the
        camera will turn) to fill the box."""
        lift, turn = self.lift.get_value(), self.turn.get_value()
        self.lift.set_value(1.0)
        self.scale_tracker.set_value(1.0)
        self.centre = np.zeros(3)
        self.away.set_value(1.0)
        seen = []
        for angle in turns or (turn,):
            self.turn.set_value(angle)
            seen.append(self.project(self.corners)[0].reshape(-1, 3))
        self.turn.set_value(turn)
        seen = np.concatenate(seen)
        lo, hi = seen.min(axis=0), seen.max(axis=0)
        scale = min((right - left) / (hi[0] - lo[0]), (top - bottom) / (hi[1] - lo[1]))
        self.scale_tracker.set_value(scale)
        self.centre = np.array([(left + right) / 2, (top + bottom) / 2, 0]) - scale * (lo + hi) / 2 * np.array([1, 1, 0])
        self.lift.set_value(lift)
        self.away.set_value(1.0)
        self.redraw()


def paint_quads(draw: ImageDraw.ImageDraw, polygons: list[list[float]], fills: np.ndarray,
                outlines: np.ndarray | None) -> None:
    """Each quad filled (then outlined, where `outlines` is given and differs), in order: what
    `draw.polygon(quad, fill, outline)` paints, through PIL's core call behind it with the inks made for all
    quads at once (162 → 69-79 ms a redraw at 105 cells; tests/test_surface_paint.py compares the pixels)."""
    # An RGBA colour as PIL's ink for an RGBA image: its four bytes read as one little-endian int32, as
    # ImageDraw's _getink makes it (draw_ink) for every polygon.
    fill_inks = np.ascontiguousarray(fills, dtype=np.uint8).view("<i4").ravel().tolist()
    paint = draw.draw.draw_polygon  # undocumented (pillow<13 is pinned for it; docs/seam.md, "3-D")
    if outlines is None:
        for polygon, fill in zip(polygons, fill_inks):
            paint(polygon, fill, 1)
        return
    outline_inks = np.ascontiguousarray(outlines, dtype=np.uint8).view("<i4").ravel().tolist()
    for polygon, fill, outline in zip(polygons, fill_inks, outline_inks):
        paint(polygon, fill, 1)
        if outline != fill:
            paint(polygon, outline, 0, 1)
