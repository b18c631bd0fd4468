r"""Block diagrams: the MLP block with its residual path, the transformer flow, a row of tokens, and every
token's vector through the same MLP block in parallel lanes.

Examples
--------

.. code-block:: python

    from manim import DOWN, UP, Scene
    from llmfacts.mobjects import MlpBlockDiagram, TokenRow, TransformerFlow

    class Diagrams(Scene):
        def construct(self):
            tokens = TokenRow(["Michael", "Jordan", "plays", "the", "sport", "of", "___"]).to_edge(UP)
            mlp = MlpBlockDiagram().scale(0.8).next_to(tokens, DOWN, buff=0.6)
            flow = TransformerFlow(n_layers=2).scale(0.6).to_edge(DOWN)
            self.add(tokens, mlp, flow, mlp.get_up_box().copy().set_stroke("#FFFF66"))
"""

from __future__ import annotations

__all__ = ["LabeledBox", "TokenRow", "VectorIcon", "MlpBlockDiagram", "TransformerFlow", "ParallelLanes"]

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Circle,
    DashedLine,
    Dot,
    Line,
    MathTex,
    Mobject,
    Rectangle,
    RoundedRectangle,
    Text,
    VGroup,
)

from llmfacts import colors, style
from llmfacts.mobjects.weight_matrix import make_label


def _without_struts(strut: Text) -> Text:
    """``strut`` (a ``Text`` written ``|word|``) without its first and last glyph: still a ``Text`` (so the
    layout checks see it), whose ``font_size`` still reads the size it was made with."""
    full_height = strut.height
    strut.remove(strut.submobjects[0], strut.submobjects[-1])
    if strut.height > 0:
        strut.initial_height *= strut.height / full_height
    strut.original_text = strut.original_text[1:-1]
    return strut


class LabeledBox(VGroup):
    """A rounded box with a centred label; ``box`` and ``label`` are its two parts.

    Parameters
    ----------
    label
        Text (plain unicode, or LaTeX if it contains ``$``) or a mobject.
    width, height
        Box size (``width=None``: fit the label plus padding).
    color
        Stroke colour, also used faintly as fill.
    fill_opacity
        Opacity of the fill.
    font_size
        Label size, as a LaTeX ``font_size`` (a plain-text label is made as tall; see
        :func:`~llmfacts.mobjects.weight_matrix.make_label`). A label too big for a fixed box is shrunk.
    """

    def __init__(
        self,
        label: str | Mobject,
        *,
        width: float | None = None,
        height: float = 1.0,
        color: str = colors.MLP,
        fill_opacity: float = 0.15,
        font_size: float = style.math_size(style.LABEL),
        label_color: str = colors.TEXT,
        corner_radius: float = 0.12,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.label = make_label(label, font_size=font_size, color=label_color)
        w = width if width is not None else self.label.width + 0.5
        self.box = RoundedRectangle(width=w, height=height, corner_radius=min(corner_radius, height / 3, w / 3),
                                    stroke_color=color, stroke_width=3)
        self.box.set_fill(color, opacity=fill_opacity)
        if self.label.width > w - 0.15:
            self.label.scale_to_fit_width(w - 0.15)
        if self.label.height > height - 0.1:
            self.label.scale_to_fit_height(height - 0.1)
        self.label.move_to(self.box)
        self.add(self.box, self.label)


class TokenRow(VGroup):
    """Words in boxes, left to right (e.g. ``"Michael Jordan plays the sport of ___"``).

    Parameters
    ----------
    tokens
        The words; ``"___"`` (or any token made of underscores) is drawn as an empty slot to fill.
    font_size
        Word size.
    buff
        Gap between boxes.
    box_color
        Stroke colour of the boxes.
    token_colors
        Optional colour per token (a sequence aligned with ``tokens``, ``None`` entries keep the default),
        e.g. ``[colors.FIRST_NAME, colors.LAST_NAME, None, ...]``.
    """

    def __init__(
        self,
        tokens: Sequence[str],
        *,
        font_size: float = style.LABEL,
        buff: float = 0.12,
        box_color: str = colors.TEXT_DIM,
        text_color: str = colors.TEXT,
        token_colors: Sequence[str | None] | None = None,
        height: float = 0.6,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.tokens = list(tokens)
        if token_colors is not None and len(token_colors) != len(self.tokens):
            raise ValueError("token_colors must have one entry per token")
        self.words = VGroup()
        self.boxes = VGroup()
        for k, tok in enumerate(self.tokens):
            color = text_color if token_colors is None or token_colors[k] is None else token_colors[k]
            blank = set(tok) == {"_"}
            shown = tok if not blank else "M" * max(2, len(tok) // 2)
            # "|" struts span ascender to descender, so every word gets the same vertical box and the
            # words share a baseline once centred in equal boxes; the struts themselves are dropped
            strut = Text("|" + shown + "|", font_size=font_size, color=color)
            frame = Rectangle(width=strut.width, height=strut.height).move_to(strut)  # the strut's box
            word = _without_struts(strut).set_color(color)
            if blank:
                word.set_opacity(0)
            box = RoundedRectangle(width=word.width + 0.3, height=max(height, strut.height + 0.2),
                                   corner_radius=0.08,
                                   stroke_color=color if token_colors and token_colors[k] else box_color,
                                   stroke_width=2)
            box.set_fill(colors.BACKGROUND, opacity=0)
            if blank:
                box.set_stroke(opacity=0.6)
                box.set_fill(colors.TEXT_DIM, opacity=0.15)
            # put the strut's box centre on the box centre (keeps the baseline), centre the word horizontally
            offset = word.get_center() - frame.get_center()
            word.move_to(box.get_center() + np.array([0.0, offset[1], 0.0]))
            self.words.add(word)
            self.boxes.add(box)
        self.cells = VGroup(*(VGroup(b, w) for b, w in zip(self.boxes, self.words)))
        self.cells.arrange(RIGHT, buff=buff, aligned_edge=DOWN)
        self.add(self.cells)

    def get_token(self, i: int) -> VGroup:
        """Box and word of token ``i``."""
        return self.cells[i]

    def get_word(self, i: int) -> VGroup:
        """The word of token ``i`` (a ``Text`` of its letters; all words share one baseline)."""
        return self.words[i]

    def get_box(self, i: int) -> RoundedRectangle:
        return self.boxes[i]


class VectorIcon(VGroup):
    """A small column of cells standing for "a long list of numbers" (no digits).

    ``values`` (optional) shade the cells: grey brightness by ``|value|`` unless ``color_by_sign``.
    """

    def __init__(
        self,
        values: Sequence[float] | np.ndarray | None = None,
        *,
        n_cells: int = 6,
        cell_width: float = 0.22,
        cell_height: float = 0.12,
        color: str = colors.DATA,
        color_by_sign: bool = False,
        seed: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if values is None:
            values = np.random.default_rng(seed).uniform(-1, 1, n_cells)
        vals = np.asarray(values, dtype=float).reshape(-1)
        scale = float(np.max(np.abs(vals))) or 1.0
        for v in vals:
            cell = Rectangle(width=cell_width, height=cell_height, stroke_width=1, stroke_color=colors.DATA_DIM)
            if color_by_sign:
                cell.set_fill(colors.weight_color(v, scale), opacity=1)
            else:
                cell.set_fill(color, opacity=0.25 + 0.75 * abs(v) / scale)
            self.add(cell)
        self.arrange(DOWN, buff=0)


def _arrow(start: np.ndarray, end: np.ndarray, color: str = colors.TEXT_DIM, **kwargs) -> Arrow:
    return Arrow(start, end, buff=0.0, stroke_width=3, color=color, max_tip_length_to_length_ratio=0.35,
                 tip_length=0.18, **kwargs)


class MlpBlockDiagram(VGroup):
    """The MLP block: ``Linear (W↑) -> activation -> Linear (W↓)``, plus the residual bypass into a ``⊕``.

    Layout, left to right: an input arrow, the three boxes joined by arrows, the ``⊕`` node, an output
    arrow. The residual path leaves the input, runs above the boxes and drops into the ``⊕``.

    Parameters
    ----------
    up_label, down_label, activation
        Labels of the three boxes (plain unicode text or LaTeX with ``$``).
    box_width, box_height, gap
        Geometry of the boxes and of the arrows between them.
    show_frame
        Draw a faint frame labelled ``frame_label`` around the whole block.
    """

    def __init__(
        self,
        *,
        up_label: str | Mobject = f"${style.W_UP}$",
        down_label: str | Mobject = f"${style.W_DOWN}$",
        activation: str | Mobject = "ReLU",
        up_caption: str | None = "Linear",
        down_caption: str | None = "Linear",
        box_width: float = 1.7,
        box_height: float = 1.3,
        gap: float = 0.7,
        residual_height: float = 0.65,
        show_frame: bool = True,
        frame_label: str = "MLP",
        font_size: float = style.math_size(style.LABEL),
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.up_box = self._box(up_label, up_caption, colors.MLP, box_width, box_height, font_size)
        self.activation_box = LabeledBox(activation, width=box_width * 0.8, height=box_height * 0.7,
                                         color=colors.RELU, font_size=font_size)
        self.down_box = self._box(down_label, down_caption, colors.MLP, box_width, box_height, font_size)
        boxes = VGroup(self.up_box, self.activation_box, self.down_box).arrange(RIGHT, buff=gap)
        self.boxes = boxes
        y = boxes.get_center()[1]
        self.add_node = _add_node(radius=0.22).move_to([boxes.get_right()[0] + gap + 0.22, y, 0])
        x_in = boxes.get_left()[0] - gap * 1.6
        self.input_point = np.array([x_in, y, 0])
        self.output_point = self.add_node.get_right() + RIGHT * gap
        self.input_arrow = _arrow(self.input_point, self.up_box.get_left())
        self.inner_arrows = VGroup(
            _arrow(self.up_box.get_right(), self.activation_box.get_left()),
            _arrow(self.activation_box.get_right(), self.down_box.get_left()),
            _arrow(self.down_box.get_right(), self.add_node.get_left()),
        )
        self.output_arrow = _arrow(self.add_node.get_right(), self.output_point)
        top = boxes.get_top()[1] + residual_height
        branch_x = x_in + gap * 0.5
        self.residual_path = VGroup(
            Line([branch_x, y, 0], [branch_x, top, 0]),
            Line([branch_x, top, 0], [self.add_node.get_center()[0], top, 0]),
            _arrow(np.array([self.add_node.get_center()[0], top, 0]), self.add_node.get_top(), color=colors.RESIDUAL),
        )
        for part in self.residual_path[:2]:
            part.set_stroke(colors.RESIDUAL, width=3)
        self.arrows = VGroup(self.input_arrow, *self.inner_arrows, self.output_arrow)
        self.add(self.residual_path, self.arrows, self.boxes, self.add_node)
        self.frame: VGroup | None = None
        if show_frame:
            body = VGroup(self.boxes, self.add_node)
            rect = RoundedRectangle(width=body.width + 0.5, height=body.height + 0.5, corner_radius=0.2,
                                    stroke_color=colors.MLP, stroke_width=1.5, stroke_opacity=0.6)
            rect.move_to(body)
            title = Text(frame_label, font_size=style.CAPTION, color=colors.MLP).next_to(rect, DOWN, buff=0.1)
            self.frame = VGroup(rect, title)
            self.add(self.frame)
        self.center()

    @staticmethod
    def _box(label, caption, color, width, height, font_size) -> LabeledBox:
        box = LabeledBox(label, width=width, height=height, color=color, font_size=font_size)
        if caption:
            cap = Text(caption, font_size=style.CAPTION, color=colors.TEXT_DIM)
            box.label.shift(UP * 0.12)
            cap.next_to(box.label, DOWN, buff=0.12)
            box.caption = cap
            box.add(cap)
        return box

    def get_up_box(self) -> LabeledBox:
        return self.up_box

    def get_activation_box(self) -> LabeledBox:
        return self.activation_box

    def get_down_box(self) -> LabeledBox:
        return self.down_box

    def get_residual_path(self) -> VGroup:
        """The bypass: up from the input, along the top, down into the ``⊕`` (last piece is an arrow)."""
        return self.residual_path

    def get_add_node(self) -> VGroup:
        """The ``⊕`` node (a circle and a plus)."""
        return self.add_node

    def get_arrows(self) -> VGroup:
        """Input arrow, the three inner arrows, output arrow."""
        return self.arrows

    def get_input_point(self) -> np.ndarray:
        return self.input_arrow.get_start()

    def get_output_point(self) -> np.ndarray:
        return self.output_arrow.get_end()


def _add_node(radius: float = 0.22, color: str = colors.RESIDUAL, stroke_width: float = 3) -> VGroup:
    """The ``⊕`` where the residual path joins: a circle with a plus inside."""
    circle = Circle(radius=radius, stroke_color=color, stroke_width=stroke_width)
    r = radius * 0.6
    plus = VGroup(Line(LEFT * r, RIGHT * r), Line(DOWN * r, UP * r)).set_stroke(color, width=stroke_width)
    return VGroup(circle, plus)


class TransformerFlow(VGroup):
    """The refresher diagram: tokens -> vectors -> [norm][Attention] -> [norm][MLP] -> ...

    Tokens are stacked in a column on the left, each followed by a little vector; then, for each layer, a
    tall Attention block and a tall MLP block spanning all tokens, each preceded by a thin "norm" block
    (GPT-2 and GPT-3 normalise the vector before each block, as :mod:`llmfacts.compute.gpt3` builds it).
    ``ellipsis=True`` ends with a ``⋯`` to say "and many more layers".

    Parameters
    ----------
    n_tokens
        How many tokens (used when ``token_labels`` is empty).
    n_layers
        Attention + MLP pairs drawn.
    token_labels
        The words; default ``("Michael", "Jordan", "plays", "the", "sport", "of")``.
    show_norms
        Draw the thin norm blocks.
    block_width, norm_width, gap
        Geometry.
    norm_font_size
        Size of the "norm" labels.
    """

    def __init__(
        self,
        n_tokens: int | None = None,
        n_layers: int = 2,
        token_labels: Sequence[str] = ("Michael", "Jordan", "plays", "the", "sport", "of"),
        *,
        show_norms: bool = True,
        ellipsis: bool = True,
        block_width: float = 1.1,
        norm_width: float = 0.4,
        gap: float = 0.35,
        row_height: float = 0.62,
        font_size: float = style.CAPTION,
        norm_font_size: float = style.CAPTION,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        labels = list(token_labels)
        if n_tokens is None:
            n_tokens = len(labels) if labels else 4
        if labels and len(labels) != n_tokens:
            labels = (labels + [""] * n_tokens)[:n_tokens]
        if not labels:
            labels = [""] * n_tokens
        self.n_tokens, self.n_layers = n_tokens, n_layers

        self.tokens = VGroup()
        for k, word in enumerate(labels):
            t = Text(word or "·", font_size=font_size, color=colors.TEXT)
            t.move_to([0, -k * row_height, 0])
            self.tokens.add(t)
        tok_right = max(t.get_right()[0] for t in self.tokens)
        for t in self.tokens:  # right-align the words
            t.shift(RIGHT * (tok_right - t.get_right()[0]))
        self.vectors = VGroup()
        for k in range(n_tokens):
            v = VectorIcon(n_cells=4, cell_width=0.18, cell_height=0.11, seed=k)
            v.move_to([tok_right + 0.5 + gap, -k * row_height, 0])
            self.vectors.add(v)
        self.token_arrows = VGroup(*(
            _arrow(t.get_right() + RIGHT * 0.08, v.get_left() + LEFT * 0.05) for t, v in zip(self.tokens, self.vectors)
        ))
        height = n_tokens * row_height
        y_mid = -(n_tokens - 1) * row_height / 2
        x = self.vectors.get_right()[0] + gap * 1.5
        self.attention_blocks = VGroup()
        self.mlp_blocks = VGroup()
        self.norm_blocks = VGroup()
        self.blocks = VGroup()
        self.layer_groups = VGroup()
        previous = self.vectors
        self.flow_arrows = VGroup()
        for layer in range(n_layers):
            layer_group = VGroup()
            for kind in ("attention", "mlp"):
                if show_norms:  # GPT-2/GPT-3 normalise the vector *before* each block (pre-norm)
                    norm = LabeledBox(Text("norm", font_size=norm_font_size, color=colors.TEXT).rotate(np.pi / 2),
                                      width=norm_width, height=height * 0.85, color=colors.NORM, fill_opacity=0.2,
                                      corner_radius=0.06)
                    norm.move_to([x + norm_width / 2, y_mid, 0])
                    self.flow_arrows.add(_arrow([previous.get_right()[0] + 0.05, y_mid, 0], norm.get_left() + LEFT * 0.02))
                    self.norm_blocks.add(norm)
                    self.blocks.add(norm)
                    layer_group.add(norm)
                    x += norm_width + gap
                    previous = norm
                color = colors.ATTENTION if kind == "attention" else colors.MLP
                text = "Attention" if kind == "attention" else "MLP"
                block = LabeledBox(Text(text, font_size=font_size, color=colors.TEXT).rotate(np.pi / 2),
                                   width=block_width, height=height, color=color, fill_opacity=0.2)
                block.move_to([x + block_width / 2, y_mid, 0])
                self.flow_arrows.add(_arrow([previous.get_right()[0] + 0.05, y_mid, 0], block.get_left() + LEFT * 0.02))
                (self.attention_blocks if kind == "attention" else self.mlp_blocks).add(block)
                self.blocks.add(block)
                layer_group.add(block)
                x += block_width + gap
                previous = block
            self.layer_groups.add(layer_group)
        self.ellipsis: Mobject | None = None
        if ellipsis:
            self.ellipsis = MathTex(r"\cdots", font_size=style.math_size(font_size * 1.6), color=colors.TEXT_DIM)
            self.ellipsis.move_to([x + 0.3, y_mid, 0])
            self.flow_arrows.add(_arrow(previous.get_right() + RIGHT * 0.02, self.ellipsis.get_left() + LEFT * 0.08))
        self.add(self.tokens, self.token_arrows, self.vectors, self.flow_arrows, self.blocks)
        if self.ellipsis is not None:
            self.add(self.ellipsis)
        self.center()

    def get_tokens(self) -> VGroup:
        return self.tokens

    def get_vectors(self) -> VGroup:
        """The little vector next to each token."""
        return self.vectors

    def get_attention_blocks(self) -> VGroup:
        return self.attention_blocks

    def get_mlp_blocks(self) -> VGroup:
        return self.mlp_blocks

    def get_norm_blocks(self) -> VGroup:
        return self.norm_blocks

    def get_blocks(self) -> VGroup:
        """Every block in flow order (attention, norm, MLP, norm, ...)."""
        return self.blocks

    def get_layer(self, k: int) -> VGroup:
        """The blocks of layer ``k`` (attention, norm, MLP, norm)."""
        return self.layer_groups[k]

    def get_attention_block(self, k: int = 0) -> LabeledBox:
        return self.attention_blocks[k]

    def get_mlp_block(self, k: int = 0) -> LabeledBox:
        return self.mlp_blocks[k]


class ParallelLanes(VGroup):
    """One lane per token through the same MLP block: word, vector in, W↑ -> ReLU -> W↓, ⊕ residual, vector out.

    The lanes are stacked downwards, one per token, with dashed separators between them; each lane's
    residual path runs above its boxes into the ``⊕``. The group is centred on the origin.

    Parameters
    ----------
    words
        The token of each lane (its name, at the left).
    inputs, outputs
        ``(n_tokens, d)`` arrays: the vector entering and leaving each lane (they shade the vector icons).
    word_colors
        Colour of each word (``None`` in the sequence, or no sequence: :data:`~llmfacts.colors.TEXT`).
    pitch
        Distance between the centres of neighbouring lanes.
    font_size
        Size of the words.

    Attributes
    ----------
    words, in_icons, out_icons
        One word, input icon and output icon per lane.
    lanes
        Per lane, ``VGroup(residual_path, arrows, boxes, add_node)``.
    paths
        A :class:`~manim.Line` along each lane, from the input icon to the output icon, where they were
        built (see :meth:`moving_dots` for the current ones).
    separators
        The dashed lines between lanes.

    Examples
    --------

    .. code-block:: python

        import numpy as np
        from manim import MoveAlongPath, Scene
        from llmfacts.mobjects import ParallelLanes

        class Lanes(Scene):
            def construct(self):
                rng = np.random.default_rng(0)
                x = rng.normal(size=(3, 6))
                lanes = ParallelLanes(["Michael", "Jordan", "plays"], x, x + rng.normal(size=(3, 6)))
                self.add(lanes)
                dots, paths = lanes.moving_dots()
                self.play(*(MoveAlongPath(dot, path) for dot, path in zip(dots, paths)))
    """

    def __init__(
        self,
        words: Sequence[str],
        inputs: np.ndarray | Sequence[Sequence[float]],
        outputs: np.ndarray | Sequence[Sequence[float]],
        *,
        word_colors: Sequence[str | None] | None = None,
        pitch: float = 0.82,
        font_size: float = style.LABEL,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        word_colors = word_colors or [None] * len(words)
        self.words, self.in_icons, self.out_icons = VGroup(), VGroup(), VGroup()
        self.lanes, self.paths, self.separators = VGroup(), [], VGroup()
        d = np.asarray(inputs).shape[1]
        for k, (word, x, y_out) in enumerate(zip(words, inputs, outputs)):
            y = -k * pitch
            label = Text(word, font_size=font_size, color=word_colors[k] or colors.TEXT)
            label.move_to([0, y, 0], aligned_edge=RIGHT)
            icon_in = VectorIcon(x, cell_width=0.3, cell_height=0.6 / d).move_to([0.45, y, 0])
            boxes = VGroup(
                LabeledBox(f"${style.W_UP}$", width=1.1, height=0.5, color=colors.MLP,
                           font_size=style.MIN_MATH_FONT_SIZE),
                LabeledBox("ReLU", width=1.1, height=0.44, color=colors.RELU, font_size=style.MIN_MATH_FONT_SIZE,
                           fill_opacity=0.1),
                LabeledBox(f"${style.W_DOWN}$", width=1.1, height=0.5, color=colors.MLP,
                           font_size=style.MIN_MATH_FONT_SIZE),
            ).arrange(RIGHT, buff=0.45)
            boxes.move_to([1.25 + boxes.width / 2, y, 0])
            node = _add_node(radius=0.13, stroke_width=2).move_to([boxes.get_right()[0] + 0.5, y, 0])
            icon_out = VectorIcon(y_out, cell_width=0.3, cell_height=0.6 / d).move_to([node.get_x() + 0.75, y, 0])
            arrows = VGroup(*(Line(a.get_right(), b.get_left(), stroke_width=2, color=colors.TEXT_DIM)
                              for a, b in zip([icon_in, *boxes], [*boxes, node])),
                            Line(node.get_right(), icon_out.get_left(), stroke_width=2, color=colors.TEXT_DIM))
            top = y + 0.33
            bypass = VGroup(Line([0.8, y, 0], [0.8, top, 0]), Line([0.8, top, 0], [node.get_x(), top, 0]),
                            Line([node.get_x(), top, 0], node.get_top())).set_stroke(colors.RESIDUAL, width=1.5,
                                                                                      opacity=0.7)
            self.words.add(label)
            self.in_icons.add(icon_in)
            self.out_icons.add(icon_out)
            self.lanes.add(VGroup(bypass, arrows, boxes, node))
            self.paths.append(Line(icon_in.get_right(), icon_out.get_left()))
            if k:
                sep = DashedLine([-1.5, y + pitch / 2, 0], [icon_out.get_right()[0] + 0.1, y + pitch / 2, 0],
                                 stroke_width=1.5, color=colors.DATA_DIM, dash_length=0.08)
                self.separators.add(sep)
        self.add(self.separators, self.words, self.in_icons, self.lanes, self.out_icons)
        self.center()

    def moving_dots(self) -> tuple[VGroup, list[Line]]:
        """A dot at the start of every lane, and the path each one follows (after any move of the lanes)."""
        starts = [icon.get_right() for icon in self.in_icons]
        ends = [icon.get_left() for icon in self.out_icons]
        paths = [Line(a, b) for a, b in zip(starts, ends)]
        dots = VGroup(*(Dot(p.get_start(), radius=0.06, color=colors.HIGHLIGHT) for p in paths))
        return dots, paths
