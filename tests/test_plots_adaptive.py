"""Tests for npfl_helpers.plots.adaptive: the race animation."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation

from npfl_helpers import optim, plots, surfaces

pytestmark = pytest.mark.usefixtures("strict_warnings")


def run_all(s, steps=80):
    lrs = {"sgd": 1e-3, "momentum": 1e-3, "adam": 0.05}
    return {n: optim.run(getattr(optim, n)(lr=lr), s.grad, s.start, steps).thetas
            for n, lr in lrs.items()}


def test_race_animation_frames_and_render():
    s = surfaces.himmelblau()
    tr = run_all(s, steps=250)
    n_before = plt.get_fignums()
    anim = plots.race_animation(s, tr, max_frames=40, n=30)
    assert isinstance(anim, FuncAnimation)
    assert plt.get_fignums() == n_before  # not tracked by pyplot
    frames = list(anim.new_frame_seq())
    assert len(frames) == 40 and frames[0] == 0 and frames[-1] == 250
    artists = anim._func(frames[10])
    assert len(artists) == 3 * 4 + 3 + 1  # 4 per path, 3 loss lines, the step counter
    line_sgd = artists[0]
    np.testing.assert_array_equal(np.c_[line_sgd.get_data()], tr["sgd"][: frames[10] + 1])
    ax_s = anim._fig.axes[0]
    assert ax_s.get_xlim() == s.bounds[0] and ax_s.get_ylim() == s.bounds[1]
    anim._fig.canvas.draw()
    small = plots.race_animation(s, {k: v[:5] for k, v in tr.items()}, n=20)
    assert len(list(small.new_frame_seq())) == 5
    html = small.to_jshtml()
    assert html.count("data:image/png;base64") == 5
    anim._draw_was_started = True  # only single frames were drawn: silence "deleted unrendered"


def test_race_shows_the_cross_only_after_divergence():
    s = surfaces.quadratic(kappa=10.0)
    traj = optim.run(optim.sgd(lr=0.3), s.grad, s.start, 120)
    last = int(np.flatnonzero(np.isfinite(traj.thetas).all(-1))[-1])
    anim = plots.race_animation(s, {"sgd": traj.thetas}, max_frames=121, n=20)
    line, start, head, cross = anim._func(last)[:4]
    assert len(cross.get_xdata()) == 0 and len(head.get_xdata()) == 1
    line, start, head, cross = anim._func(last + 1)[:4]
    assert len(cross.get_xdata()) == 1 and len(head.get_xdata()) == 0
    anim._draw_was_started = True  # silence "deleted without rendering"


def test_race_rejects_bad_input():
    s = surfaces.saddle()
    with pytest.raises(ValueError, match="max_frames"):
        plots.race_animation(s, {"sgd": np.zeros((3, 2))}, max_frames=1)
    with pytest.raises(ValueError, match="shape"):
        plots.race_animation(s, {"sgd": np.zeros((3, 2, 2))})


def test_adagrad_steps_one_curve_per_scale_and_the_guide():
    fig, (ax,) = plots.new_figure(1)
    t = np.arange(1, 101)
    g = np.array([1e-3, 1.0, 1e3])
    sgd = np.broadcast_to(0.1 * g, (100, 3))
    ada = np.broadcast_to(0.1 / np.sqrt(t)[:, None], (100, 3))
    plots.plot_adagrad_steps(ax, t, sgd, ada, g, 0.1)
    labels = [ln.get_label() for ln in ax.lines]
    assert labels[:3] == ["SGD, $g = 10^{-3}$", "SGD, $g = 10^{0}$", "SGD, $g = 10^{3}$"]
    assert labels[3].startswith("AdaGrad") and len(ax.lines) == 7
    assert ax.lines[3].get_color() == plots.OPTIMIZER_COLORS["adagrad"]
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), 0.1 / np.sqrt(t))
    assert ax.get_xscale() == ax.get_yscale() == "log"
    fig.canvas.draw()


def test_rmsprop_steps_name_the_first_step():
    fig, (ax,) = plots.new_figure(1)
    t = np.arange(1, 51)
    betas = np.array([0.9, 0.99])
    rel = 1 / np.sqrt(1 - betas[None, :] ** t[:, None])
    plots.plot_rmsprop_steps(ax, t, rel, betas)
    assert "= 3.2$" in ax.lines[0].get_label() and "= 10.0$" in ax.lines[1].get_label()
    assert [ln.get_linestyle() for ln in ax.lines[:2]] == ["-", "--"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), rel[:, 1])
    assert ax.get_yscale() == ax.get_xscale() == "log"
    fig.canvas.draw()


def test_adam_moments_panels_show_mean_prediction_and_correction():
    fig, (ax_s, ax_r) = plots.new_figure(2)
    t = np.arange(1, 101)
    mean_s, mean_r = 0.5 * (1 - 0.9**t), 1.25 * (1 - 0.99**t)
    plots.plot_adam_moments(ax_s, ax_r, t, mean_s, mean_r, beta1=0.9, beta2=0.99, mean_g=0.5,
                            mean_g2=1.25, runs=100)
    measured, predicted, corrected = ax_r.lines[:3]
    np.testing.assert_allclose(predicted.get_ydata(), 1.25 * (1 - 0.99**t))
    np.testing.assert_allclose(corrected.get_ydata(), 1.25)  # r̂_t = r_t/(1 − β₂ᵗ)
    assert "over 100 runs" in measured.get_label()
    assert corrected.get_color() == plots.OPTIMIZER_COLORS["adam"]
    assert ax_s.get_ylabel() == "first moment" and ax_r.get_legend() is not None
    fig.canvas.draw()


def test_eps_placement_two_curves_and_the_marks():
    fig, (ax,) = plots.new_figure(1)
    g = np.geomspace(1e-11, 1.0, 23)
    eps = 1e-8
    plots.plot_eps_placement(ax, g, g / np.sqrt(g**2 + eps), g / (g + eps), eps)
    inside, outside = ax.lines[:2]
    assert inside.get_linestyle() == "-" and outside.get_linestyle() == "--"
    assert [t.get_text() for t in ax.texts] == [r"$\sqrt{\varepsilon}$", r"$\varepsilon$"]
    assert ax.get_ylim() == pytest.approx((1e-3, 2))
    fig.canvas.draw()


def test_race_frames_draw_the_still_parts_once(monkeypatch):
    """Every frame of to_jshtml restores the rendered contours and draws only the moving paths,
    loss curves and step counter: no full draw per frame, and the frames still differ."""
    import base64
    import io
    import re

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    s = surfaces.beale()
    tr = run_all(s, steps=40)
    anim = plots.race_animation(s, tr, max_frames=6, n=30)
    full = []
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self: full.append(1))
    html = anim.to_jshtml()
    assert full == []  # the background was rendered once, when the animation was built
    frames = re.findall(r"data:image/png;base64,(.*?)\"", html, re.S)
    assert len(frames) == 6
    images = [np.asarray(Image.open(io.BytesIO(base64.b64decode(re.sub(r"[\\\s]", "", f)))))
              for f in frames]
    assert images[0].shape == images[-1].shape
    assert (images[0] != images[-1]).any(axis=-1).mean() > 0.002  # the paths have moved
    assert anim._fig.get_layout_engine() is None  # laid out once, then kept


def test_race_background_stays_valid():
    """A frame drawn on the kept background equals the same frame rendered from scratch."""
    s = surfaces.himmelblau()
    anim = plots.race_animation(s, run_all(s, steps=20), max_frames=3, n=30)
    fig = anim._fig
    fig.canvas._background = None
    fig.canvas.draw()  # the first full draw's event starts the animation (it shows frame 0)
    anim._func(20)
    fig.canvas.draw()
    cached = np.asarray(fig.canvas.buffer_rgba()).copy()
    fig.canvas._background = None  # force a full render of the same frame
    fig.canvas.draw()
    np.testing.assert_array_equal(np.asarray(fig.canvas.buffer_rgba()), cached)
    anim._draw_was_started = True
