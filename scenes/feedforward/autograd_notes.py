"""The notebook's important notes on autograd: requires_grad is contagious, .detach() before plotting,
.backward() accumulates, and zeroing the gradients."""
from __future__ import annotations

from typing import Sequence

from manim import (DOWN, LEFT, RIGHT, UP, Animation, Arrow, Create, DashedLine, FadeIn, FadeOut, GrowArrow, Indicate,
                   Line, MathTex, Mobject, NumberLine, Rectangle, ReplacementTransform, RoundedRectangle,
                   ShowPassingFlash, Text, ValueTracker, VGroup, always_redraw)

from engine import notes
from scenes.widgets.code_scene import PANEL_GAP, CodeScene
from scenes.kit.base import beat
from scenes.widgets.code_panel import CodePanel
from scenes.kit.formatting import short, short_tex
from scenes.feedforward.graph_code import captions, lecture_graph, loss_source, torch_code
from scenes.widgets.graph_diagram import GraphDiagram, leaf_shape
from scenes.kit.numbers import QuickDecimal
from scenes.kit.pacing import PacingScene, play_over, position_of, wait_for
from scenes.kit.pointing import RING_BUFF


MAX_GROWTH = 1.8  # how much a note's picture may grow past its natural size to fill the space under the code
DETACHED_ROOM = 2.8  # right of the graph: the detached copy of the loss and its facts
OP_ARROW, TABLE_GAP = 0.7, 0.15  # the contagion table's arrows and gaps: narrow enough that its texts keep their size
AXIS_LABELS_ROOM = 3.6  # the `w.grad` names left of the axis and the moving numbers right of it


class AutogradNotesScene(PacingScene, CodeScene):
    text_role = "small_size"  # each note holds a table, a graph or an axis beside its code: its printed output stays small
    graph_growth = 1.0
    alt_text = ("Y = W @ X requires grad because W does; .detach() gives a tensor without history for plotting; "
                "a second backward doubles w.grad from {grad_after_1:g} to {grad_after_2:g}; zeroing resets it to {grad_zeroed:g}.")

    def construct(self) -> None:
        self.compute()
        self.requires_grad_is_contagious()
        self.detach_before_plotting()
        self.gradients_accumulate()
        self.zero_the_gradients()

    def compute(self) -> None:
        p = self.params
        self.contagion = notes.contagion_demo()
        self.detach = notes.detach_demo(p.values, p.learnable, loss=loss_source(p))
        self.accumulation = notes.accumulation_demo(p.values, p.learnable, times=2, loss=loss_source(p))
        self.first = next(iter(self.accumulation.zeroed))  # w in the notebook
        self.record(y_requires_grad=self.contagion.y_requires_grad, x_requires_grad=self.contagion.x_requires_grad,
                    y_grad_fn=self.contagion.y_grad_fn, detached_requires_grad=self.detach.detached_requires_grad,
                    detached_grad_fn=str(self.detach.detached_grad_fn), loss=self.detach.value,
                    grads=[dict(g) for g in self.accumulation.grads],
                    grad_after_1=self.accumulation.grads[0][self.first], grad_after_2=self.accumulation.grads[1][self.first],
                    grad_zeroed=self.accumulation.zeroed[self.first], first_learnable=self.first,
                    grad_after_zero_grad=str(self.accumulation.after_zero_grad[self.first]),
                    grad_fresh=self.accumulation.fresh[self.first])

    def note_title(self, number: int, text: str) -> VGroup:
        badge = self.text(str(number), size=self.theme.label_size, color=self.theme.highlight)
        title = self.text(text, size=self.theme.label_size)
        group = VGroup(badge, title).arrange(RIGHT, buff=0.3)
        return group.move_to([self.left, self.content_area()[0] - RING_BUFF, 0], aligned_edge=LEFT + UP)  # room for its ring

    def play_note(self, title: Mobject, code: CodePanel, words: str, until: str, *more: Animation) -> None:
        """The last note out and this one's title in as the narration names it, then its code until `until`
        (silent: both at once, as one play)."""
        if self.speech is None:
            return self.play(FadeOut(self.stage), FadeIn(title), FadeIn(code, shift=DOWN * 0.2), *more)
        said = position_of(self, words)
        play_over(self, None, said, FadeOut(self.stage), FadeIn(title))
        play_over(self, said, until, FadeIn(code, shift=DOWN * 0.2), *more)

    def note_code(self, title: Mobject, lines: Sequence[str]) -> CodePanel:
        return self.code_panel(lines, top=title.get_bottom()[1] - 0.25)

    def below(self, mob: Mobject) -> tuple[float, float]:
        """(top, bottom) of the free area under `mob`."""
        return mob.get_bottom()[1] - PANEL_GAP, self.content_area()[1]

    def flag(self, value: object) -> Text:
        color = self.theme.learnable if value is True else self.theme.constant if value is False else self.theme.text
        return self.output_text(str(value), color)

    def facts(self, rows: Sequence[tuple[str, object]]) -> VGroup:
        """`attribute: value` rows in the code font, values coloured by what they mean."""
        return VGroup(*[VGroup(self.output_text(f"{k}:", self.theme.muted), self.flag(v)).arrange(RIGHT, buff=0.15)
                        for k, v in rows]).arrange(DOWN, aligned_edge=LEFT, buff=0.12)

    def matrix(self, shape: tuple[int, ...], color: str, cell: float = 0.4) -> VGroup:
        rows, cols = shape
        grid = VGroup(*[RoundedRectangle(corner_radius=0.05, width=cell * 0.88, height=cell * 0.88, stroke_color=color,
                                         stroke_width=2, fill_color=color, fill_opacity=0.25)
                        for _ in range(rows * cols)])
        return grid.arrange_in_grid(rows, cols, buff=cell * 0.12)

    def tensor_table(self, tensors: Sequence[tuple[str, tuple[int, ...], str]], attributes: Sequence[str],
                     values: Sequence[Sequence[object]], links: Sequence[str]) -> tuple[VGroup, list[VGroup], list[VGroup]]:
        """Tensors side by side (name over grid) joined by op arrows, and under each its attribute values,
        with the attribute names once at the left. Returns the whole table, its columns and its links."""
        t, gap = self.theme, TABLE_GAP
        columns = [VGroup(VGroup(MathTex(name, font_size=t.body_size, color=color), self.matrix(shape, color)).arrange(DOWN, buff=0.15),
                          VGroup(*[self.flag(v) for v in column_values]))
                   for (name, shape, color), column_values in zip(tensors, values)]
        arrows = [self.op_arrow(symbol) for symbol in links]
        rows_y = [-max(c[0].height for c in columns) / 2 - 0.4 - 0.45 * i for i in range(len(attributes))]
        x = 0.0
        for k, (head, cells) in enumerate(columns):
            width = max(head.width, *(cell.width for cell in cells))
            head.move_to([x + width / 2, 0, 0])
            for cell, y in zip(cells, rows_y):
                cell.move_to([x + width / 2, y, 0])
            x += width + gap
            if k < len(arrows):
                arrows[k].move_to([x + arrows[k].width / 2, 0, 0])
                x += arrows[k].width + gap
        header = VGroup(*[self.output_text(f"{a}:", t.muted) for a in attributes])
        for label, y in zip(header, rows_y):
            label.move_to([-0.4 - label.width / 2, y, 0])
        return VGroup(header, *columns, *arrows), columns, arrows

    def op_arrow(self, symbol: str) -> VGroup:
        arrow = Arrow(LEFT * OP_ARROW / 2, RIGHT * OP_ARROW / 2, buff=0, color=self.theme.muted, stroke_width=3, tip_length=0.15)
        return VGroup(arrow, MathTex(symbol, font_size=self.theme.label_size, color=self.theme.text).next_to(arrow, UP, buff=0.1))

    def infect(self, column: VGroup, link: VGroup) -> list[Animation]:
        """requires_grad spreads along the arrow into the result: its grid takes the learnable colour and its
        requires_grad value comes in (its grad_fn comes in when the narration names it)."""
        t = self.theme
        return [ShowPassingFlash(link[0].copy().set_stroke(t.learnable, width=7), time_width=0.6, run_time=1.0),
                column[0][0].animate.set_color(t.learnable),
                column[0][1].animate.set_stroke(t.learnable).set_fill(t.learnable, opacity=0.25),
                FadeIn(column[1][0], shift=UP * 0.15)]

    @beat("First note: [requires_grad is contagious](title). ^W is learnable, ^X is not. ^Y = W @ X requires grad too, "
          "because W does, and [its grad_fn is {y_grad_fn}](yfn). So does ^Z, computed from Y: [everything downstream of "
          "a learnable tensor](downstream) joins the graph.")
    def requires_grad_is_contagious(self) -> None:
        c, t = self.contagion, self.theme
        title = self.note_title(1, "requires_grad is contagious")
        code = self.note_code(title, [f"W = torch.randn({', '.join(map(str, c.w_shape))}, requires_grad=True)",
                                      f"X = torch.randn({', '.join(map(str, c.x_shape))})", "Y = W @ X", "Z = torch.relu(Y)"])
        table, columns, links = self.tensor_table(
            [("W", c.w_shape, t.learnable), ("X", c.x_shape, t.constant), ("Y", c.y_shape, t.muted), ("Z", c.y_shape, t.muted)],
            ["requires_grad", "grad_fn"],
            [(c.w_requires_grad, c.w_grad_fn), (c.x_requires_grad, c.x_grad_fn), (c.y_requires_grad, c.y_grad_fn),
             (c.z_requires_grad, c.z_grad_fn)],
            ["@", "=", r"\mathrm{relu}"])
        top, bottom = self.below(code)
        fill = min((self.right - self.left - 2 * RING_BUFF) / table.width, (top - bottom) / table.height, MAX_GROWTH)  # ring room
        table.scale(fill).move_to([0, (top + bottom) / 2, 0])  # the table is the picture: it takes the space under the code
        self.point_at(title=title[1], yfn=columns[2][1][-1], downstream=VGroup(columns[2], columns[3]))
        self.play(self.show_heading(), FadeIn(title))
        self.play_along("title", FadeIn(code, shift=DOWN * 0.2), FadeIn(table[0]))  # the code of the note as it is named
        self.play_along("W", code.highlight(0), FadeIn(columns[0], shift=UP * 0.2))
        self.play_along("X", code.highlight(1), FadeIn(links[0]), FadeIn(columns[1], shift=UP * 0.2))
        for k, link, mark, until in ((2, links[1], "Y", "yfn"), (3, links[2], "Z", "downstream")):
            self.play_along(mark, code.highlight(k), GrowArrow(link[0]), FadeIn(link[1]), FadeIn(columns[k][0]),
                            run_time=1.0)  # the result appears, then requires_grad spreads into it, as the clause says it
            self.play_until(until, *self.infect(columns[k], link), run_time=1.0)
            self.play_along(until, FadeIn(columns[k][1][1], shift=UP * 0.15))  # its grad_fn: the graph it joins
        self.stage = VGroup(title, code, table)

    @beat("Second note: a tensor that requires grad [carries its graph along](graph), and numpy refuses it: ^calling "
          "numpy on the loss raises an error. So first call .^detach(): [the same number](same), cut from the graph, "
          "^with requires_grad {detached_requires_grad}. That is [what we plot or store](store).")
    def detach_before_plotting(self) -> None:
        d, t = self.detach, self.theme
        title = self.note_title(2, ".detach() before plotting or storing")
        code = self.note_code(title, ["loss.numpy()", "loss.detach().numpy()"])
        first, _, rest = d.numpy_error.partition(" on ")
        error = VGroup(self.output_text(f"RuntimeError: {first}", t.loss),
                       self.output_text(f"on {rest}" if rest else "", t.loss)).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        ok = self.output_text(short(d.detached_value), t.forward)
        outputs = self.side_panel([error, ok], code)
        top, bottom = self.below(code)
        graph = lecture_graph(self.params)
        diagram = GraphDiagram(graph, t, self.right - self.left - DETACHED_ROOM, (top - bottom) - 1.1,
                               captions(self.params, graph), grow=1.35)
        diagram.move_to([self.left + 2 * RING_BUFF, top, 0], aligned_edge=LEFT + UP)  # room for its ring as it is named
        loss_node = diagram.node(graph.output_name)
        size = max(loss_node.body.width, 0.75)
        detached = VGroup(leaf_shape(t, t.constant, ringed=False, size=size),
                          MathTex(short_tex(d.detached_value), font_size=t.label_size, color=t.constant))
        if detached[1].width > 0.8 * size:
            detached[1].scale_to_fit_width(0.8 * size)
        detached[1].move_to(detached[0])
        detached.move_to([min(diagram.get_right()[0] + 2.4, self.right - size / 2 - 2 * RING_BUFF), loss_node.body.get_center()[1], 0])
        cut = DashedLine(loss_node.body.get_right(), detached.get_left(), color=t.muted, dash_length=0.08, buff=0.1)
        scissors = self.text("detach", size=t.small_size, color=t.muted).next_to(cut, UP, buff=0.1)
        left_facts = self.facts([("requires_grad", d.requires_grad), ("grad_fn", d.grad_fn)])
        right_facts = self.facts([("requires_grad", d.detached_requires_grad), ("grad_fn", d.detached_grad_fn)])
        left_facts.next_to(diagram, DOWN, buff=0.25).align_to(diagram, LEFT)
        right_facts.next_to(left_facts, RIGHT, buff=0).align_to(left_facts, UP)
        right_facts.set_x(detached.get_x())
        self.keep_inside(right_facts)
        moving = loss_node.copy()  # the loss, on its way to becoming the detached copy: pointed at as it goes
        self.point_at(graph=diagram, same=moving, store=ok)
        self.play_note(title, code, "a tensor", "graph")
        self.play_along("graph", FadeIn(diagram, shift=UP * 0.2))  # the graph the loss carries, as it is named
        self.play_along("calling", code.highlight(0), FadeIn(error, shift=RIGHT * 0.2), FadeIn(left_facts),
                        Indicate(loss_node.body, color=t.loss))
        self.wait_until("detach")
        self.play_until("with", code.highlight(1), ReplacementTransform(moving, detached), Create(cut),
                        FadeIn(scissors), run_time=1.4)
        self.play_along("with", FadeIn(ok, shift=RIGHT * 0.2), FadeIn(right_facts, shift=UP * 0.15))
        self.stage = VGroup(title, code, outputs, diagram, detached, cut, scissors, left_facts, right_facts)

    def grad_axis(self, names: Sequence[str], width: float) -> tuple[VGroup, dict[str, ValueTracker]]:
        """A number line through 0 and the first learnable's .grad values; per learnable, its name at the left, a bar
        from 0 to its .grad and the number at the right, following a ValueTracker (updated in place)."""
        t, acc = self.theme, self.accumulation
        values = [g[n] for g in acc.grads for n in names]
        marks = sorted({0.0, *(g[self.first] for g in acc.grads)})  # ticks for the first learnable only
        lo, hi = min(0.0, *values), max(0.0, *values)
        axis = NumberLine(x_range=[lo, hi if hi > lo else lo + 1], length=width,
                          include_ticks=False, color=t.muted, stroke_width=2)
        places = 0 if all(float(v).is_integer() for v in values) else 3  # the ticks and the moving numbers agree
        ticks = VGroup(*[VGroup(Line(UP * 0.1, DOWN * 0.1, color=t.muted, stroke_width=2).move_to(axis.n2p(m)),
                                MathTex(f"{m:.{places}f}", font_size=t.small_size, color=t.muted).next_to(axis.n2p(m), DOWN, buff=0.18))
                         for m in marks])
        trackers = {n: ValueTracker(0.0) for n in names}
        rows = VGroup()
        for k, n in enumerate(names):
            y = (len(names) - k) * 0.62
            label = self.output_text(f"{n}.grad", t.gradient)
            label.move_to(axis.get_left() + UP * y + LEFT * (0.35 + label.width / 2))
            bar = always_redraw(lambda n=n, y=y: self.bar(axis, trackers[n].get_value(), y))
            number = QuickDecimal(0, num_decimal_places=places, font_size=t.label_size, color=t.gradient)
            number.add_updater(lambda m, n=n, y=y: m.set_value(trackers[n].get_value()).move_to(
                axis.get_right() + UP * y + RIGHT * (0.35 + m.width / 2)))
            rows.add(VGroup(label, bar, number))
        return VGroup(axis, ticks, rows), trackers

    def bar(self, axis: NumberLine, value: float, height: float) -> Rectangle:
        start, end = axis.n2p(0), axis.n2p(value)
        width = max(abs(end[0] - start[0]), 1e-3)
        bar = Rectangle(width=width, height=0.34, stroke_width=0, fill_color=self.theme.gradient, fill_opacity=0.85)
        return bar.move_to((start + end) / 2 + UP * height)

    @beat("Third note: .backward() does not replace .grad, [it adds to it](adds). The ^first backward gives {grad_after_1:.4g}. "
          "Run it ^again, and {first_learnable}.grad holds {grad_after_2:.4g}, [twice as much](twice). [PyTorch does this on "
          "purpose](purpose), so gradients from several losses can be ^summed.")
    def gradients_accumulate(self) -> None:
        acc, t = self.accumulation, self.theme
        names = list(acc.zeroed)
        title = self.note_title(3, ".backward() accumulates gradients")
        forward = "sq_loss(y, simple_graph.forward(x))" if self.is_notebook else torch_code(self.params.expr)
        zero = f"{names[0]}.grad.zero_()" if len(names) == 1 else f"for p in ({', '.join(names)}): p.grad.zero_()"
        code = self.note_code(title, ["for step in range(2):", f"    loss = {forward}", "    loss.backward()", zero,
                                      "optimizer.zero_grad()  # or this"])
        top, bottom = self.below(code)
        axis, trackers = self.grad_axis(names, width=self.right - self.left - AXIS_LABELS_ROOM)
        # centred under the code, where it stood before the note titles moved down for their ring (bars on whole
        # pixels at 108p: a half-pixel edge blurs in the clip, and the still no longer matches its last frame)
        axis.move_to([(self.left + self.right) / 2, (top + bottom + RING_BUFF) / 2, 0])
        # What each backward leaves in .grad, printed beside the code as the narration gives it.
        printed = self.side_panel([self.output_text(f"{self.first}.grad: {short(g[self.first])}", t.gradient)
                                   for g in acc.grads], code)
        self.point_at(twice=printed[-1], purpose=code.line(2), adds=axis[2])
        self.play_note(title, code, ".backward()", "adds", code.highlight(2))
        self.play_along("adds", FadeIn(axis, shift=UP * 0.2))  # .grad, which backward adds to
        for grads, mark, until, line in zip(acc.grads, ("first", "again"), (None, "twice"), printed):
            self.play_steps(mark, [
                (lambda: [code.highlight(1)], 0.5),
                (lambda grads=grads, line=line: [code.highlight(2), FadeIn(line, shift=LEFT * 0.2),
                                                 *[trackers[n].animate.set_value(grads[n]) for n in names]], 1.4)],
                until=until)  # the second run lasts until "twice as much": the bars grow while it is said
        self.play_along("summed", Indicate(printed, color=t.gradient))  # two losses' gradients, one sum
        self.trackers, self.code_box, self.note, self.printed = trackers, code, title, printed

    @beat("So before each new backward, we zero the gradients. ^Zeroing in place gives {grad_zeroed:g}. An optimizer's "
          "zero_grad() ^sets .grad to {grad_after_zero_grad} instead. Either way, the ^next backward starts fresh: "
          "{grad_fresh:.4g}.")
    def zero_the_gradients(self) -> None:
        acc, code = self.accumulation, self.code_box
        names = list(acc.zeroed)
        title = self.note_title(4, "zero the gradients before each backward")
        self.play(ReplacementTransform(self.note, title), FadeOut(self.printed))  # the printed grads are about to change
        if self.speech is not None:  # the zeroing line as "we zero the gradients" is said
            wait_for(self, position_of(self, "zero the gradients"))
            self.play(code.highlight(3))
        self.play_along("Zeroing", code.highlight(3), *[self.trackers[n].animate.set_value(acc.zeroed[n]) for n in names],
                        run_time=1.4)
        note = self.output_text(f"{self.first}.grad is {acc.after_zero_grad[self.first]}", self.theme.muted)
        fresh = self.output_text(f"next backward: {short(acc.fresh[self.first])}", self.theme.gradient)
        self.side_panel([note, fresh], code)
        if self.speech is not None:  # the optimizer's line as it is named
            wait_for(self, position_of(self, "An optimizer's"))
            self.play(code.highlight(4))
        self.play_along("sets", code.highlight(4), FadeIn(note, shift=LEFT * 0.2))
        self.play_along("next", FadeIn(fresh, shift=LEFT * 0.2), *[self.trackers[n].animate.set_value(acc.fresh[n]) for n in names],
                        run_time=1.4)
