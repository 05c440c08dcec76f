// Page-side helpers of tools/labdriver.py, installed before JupyterLab loads (an init script).
// Everything lives in window.__npfl; the Python side calls these functions and waits on them.
(() => {
  const npfl = {};
  window.__npfl = npfl;

  // -- the notebook -------------------------------------------------------------------------

  // The notebook panel on screen (one notebook per page).
  npfl.panel = () => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');

  const promptOf = (cell) => (cell.querySelector('.jp-InputPrompt') || {}).textContent || '';
  const codeCells = () => {
    const panel = npfl.panel();
    return panel ? [...panel.querySelectorAll('.jp-Notebook .jp-CodeCell')] : [];
  };
  const kernelIdle = () => {
    const panel = npfl.panel();
    const indicator = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
    return indicator !== null && indicator.getAttribute('data-status') === 'idle';
  };

  // Loaded (all nCells cells are in the page) and the kernel connected and idle.
  npfl.ready = (nCells) => {
    const panel = npfl.panel();
    if (!panel || panel.querySelectorAll('.jp-Notebook .jp-Cell').length !== nCells) return false;
    const status = [...document.querySelectorAll('.jp-StatusBar-Item')].some(
      (e) => /\| Idle$/.test(e.textContent.trim()));
    return status && kernelIdle();
  };

  // Run All has finished: kernel idle, no cell running or queued (a queued cell shows [*] from
  // the moment Run All is chosen) and at least one cell numbered. After an error, the cells
  // below it go back to [ ] (see notRun).
  npfl.runFinished = () => {
    if (!kernelIdle()) return false;
    let numbered = 0;
    for (const cell of codeCells()) {
      const prompt = promptOf(cell);
      if (prompt.includes('*')) return false;
      if (/\[\d+\]/.test(prompt)) numbered++;
    }
    return numbered > 0;
  };

  // Non-empty code cells that did not run.
  npfl.notRun = () => codeCells().filter((cell) => {
    const src = cell.querySelector('.cm-content');
    return !(src && src.textContent.trim() === '') && !/\[\d+\]/.test(promptOf(cell));
  }).map((cell) => cell.querySelector('.cm-content').textContent.slice(0, 80));

  // Top-level outputs of the notebook (not those nested in an Output widget).
  npfl.outputs = () => {
    const panel = npfl.panel();
    if (!panel) return [];
    return [...panel.querySelectorAll('.jp-OutputArea-output')].filter(
      (v) => v.parentElement.closest('.jp-OutputArea-output') === null);
  };

  // Every widget view has rendered (or failed, which Python reports).
  npfl.widgetsSettled = () => npfl.outputs().every(
    (v) => !v.textContent.startsWith('Loading widget'));

  // Figures wider than their output area (an ipympl canvas does not scale down).
  npfl.overflows = () => {
    const out = [];
    // an ipympl figure is a stack of canvases of one size: check the first of each
    const figures = document.querySelectorAll(
      '.jupyter-matplotlib-canvas-div > canvas:first-child, .jp-OutputArea-output img');
    for (const el of figures) {
      const area = el.closest('.jp-OutputArea-output');
      if (!area || el.offsetParent === null) continue;
      const a = area.getBoundingClientRect(), r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.right > a.right + 1 || r.left < a.left - 1) {
        out.push({tag: el.tagName, width: Math.round(r.width), area: Math.round(a.width),
                  overflow: Math.round(r.right - a.right)});
      }
    }
    return out;
  };

  // -- explorers ----------------------------------------------------------------------------

  const FIGURE = '.widget-output img, img.widget-image, .jupyter-matplotlib-figure canvas';

  // Explorers: widget views that hold a slider and a figure (inline image or ipympl canvas).
  npfl.explorers = () => npfl.outputs().filter(
    (v) => v.querySelector('.widget-slider') && v.querySelector(FIGURE));

  // The first slider of an explorer that is not disabled: its noUi handle.
  const firstSlider = (view) => {
    for (const slider of view.querySelectorAll('.widget-slider')) {
      const handle = slider.querySelector('.noUi-handle');
      const target = slider.querySelector('.noUi-target');
      if (handle && target && !target.hasAttribute('disabled') &&
          !slider.classList.contains('mod-disabled')) return {slider, handle};
    }
    return null;
  };

  npfl.describeExplorers = () => npfl.explorers().map((view, index) => {
    const first = firstSlider(view);
    if (!first) return null;
    const label = (first.slider.querySelector('.widget-label') || {}).textContent || '';
    const now = parseFloat(first.handle.getAttribute('aria-valuenow'));
    const max = parseFloat(first.handle.getAttribute('aria-valuemax'));
    const kind = view.querySelector('.jupyter-matplotlib-figure canvas') ? 'ipympl' : 'inline';
    return {index, kind, label, atMax: now >= max};
  }).filter((x) => x);

  npfl.sliderHandle = (index) => firstSlider(npfl.explorers()[index]).handle;

  // The index (among code cells) of the first code cell whose source contains `text`, or -1.
  npfl.codeCellWith = (text) => codeCells().findIndex(
    (cell) => (cell.querySelector('.cm-content') || {textContent: ''}).textContent.includes(text));

  // The explorer (index among explorers) shown by code cell `cellIndex`, or -1.
  npfl.explorerOfCell = (cellIndex) => {
    const cell = codeCells()[cellIndex];
    return npfl.explorers().findIndex((view) => cell.contains(view));
  };

  // The source of the code cell that shows explorer `index`.
  npfl.explorerSource = (index) => {
    const view = npfl.explorers()[index];
    const cell = view.closest('.jp-CodeCell');
    return (cell.querySelector('.cm-content') || {textContent: ''}).textContent;
  };

  // Scroll the notebook to its top (Run All leaves it at the end).
  npfl.scrollToTop = () => {
    const first = npfl.panel().querySelector('.jp-Notebook .jp-Cell');
    first.scrollIntoView({block: 'start'});
  };
  npfl.button = (index) => npfl.explorers()[index].querySelector('.widget-button');

  // Fingerprint of an explorer's figure: inline, the src of its decoded image; ipympl, a hash
  // of the canvas pixels. null while a new image is not decoded yet, or while the canvas is
  // still blank (one colour: its first image has not arrived).
  npfl.fingerprint = (root) => {
    const img = root.querySelector('.widget-output img, img.widget-image');
    if (img) return (img.complete && img.naturalWidth > 0) ? img.src : null;
    const canvas = root.querySelector('.jupyter-matplotlib-figure canvas');
    if (!canvas || canvas.width === 0) return null;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const px = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
    let h1 = 0x811c9dc5 | 0, h2 = 0, drawn = false;
    for (let i = 0; i < px.length; i++) {
      h1 = Math.imul(h1 ^ px[i], 16777619);
      h2 = (h2 + px[i] * (i + 1)) | 0;
      drawn = drawn || px[i] !== px[0];
    }
    return drawn ? `${canvas.width}x${canvas.height}:${h1 >>> 0}:${h2 >>> 0}` : null;
  };

  // -- timing one input ---------------------------------------------------------------------

  // WebSocket traffic while a measurement is armed (for the latency breakdown).
  // `last`: time of the latest message in either direction (to wait for quiet).
  npfl.net = {armed: null, last: 0};
  const size = (d) => (typeof d === 'string') ? d.length : (d.byteLength || d.size || 0);
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    npfl.net.last = performance.now();
    if (npfl.net.armed) npfl.net.armed.sent.push([npfl.net.last, size(data)]);
    return send.call(this, data);
  };
  const addListener = WebSocket.prototype.addEventListener;
  const hook = (ws) => {
    if (ws.__npflHooked) return;
    ws.__npflHooked = true;
    addListener.call(ws, 'message', (e) => {
      npfl.net.last = performance.now();
      if (npfl.net.armed) npfl.net.armed.recv.push([npfl.net.last, size(e.data)]);
    });
  };
  WebSocket.prototype.addEventListener = function (type, fn, opts) {
    hook(this);
    return addListener.call(this, type, fn, opts);
  };
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true,
    get() { return onmessage.get.call(this); },
    set(fn) { hook(this); onmessage.set.call(this, fn); },
  });

  // Arm a requestAnimationFrame loop on explorer `index`. The time of the next key press or
  // click is taken by the page (capture phase); npfl.result resolves with the time from it to
  // the first frame whose figure fingerprint differs, or ms = null after timeoutMs.
  npfl.arm = (index, timeoutMs) => {
    const root = npfl.explorers()[index];
    const before = npfl.fingerprint(root);
    const state = {t0: null, sent: [], recv: []};
    npfl.net.armed = state;
    const onInput = () => { if (state.t0 === null) state.t0 = performance.now(); };
    document.addEventListener('keydown', onInput, {capture: true, once: true});
    document.addEventListener('click', onInput, {capture: true, once: true});
    npfl.result = new Promise((resolve) => {
      const start = performance.now();
      const finish = (ms) => {
        npfl.net.armed = null;
        resolve({ms, t0: state.t0, done: performance.now(), sent: state.sent, recv: state.recv});
      };
      const loop = (now) => {
        if (state.t0 !== null) {
          const fp = npfl.fingerprint(root);
          if (fp !== null && fp !== before) return finish(performance.now() - state.t0);
        }
        if (now - start > timeoutMs) return finish(null);
        requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });
    return before !== null;
  };

  // Resolves with true once the kernel is idle, no message has gone either way for quietMs
  // and the explorer's figure (if index >= 0) kept still for `frames` frames; false after
  // timeoutMs. (ipympl canvases that scroll into view ask the kernel for full images, one
  // after another: the kernel is idle between them, the connection is not quiet.)
  npfl.quiet = (index, frames, quietMs, timeoutMs) => new Promise((resolve) => {
    const root = index >= 0 ? npfl.explorers()[index] : null;
    const start = performance.now();
    let last = root ? npfl.fingerprint(root) : null, same = 0;
    const loop = (now) => {
      const fp = root ? npfl.fingerprint(root) : null;
      if (kernelIdle() && fp === last && (!root || fp !== null)) same++;
      else { same = 0; last = fp; }
      if (same >= frames && now - npfl.net.last >= quietMs) resolve(true);
      else if (now - start > timeoutMs) resolve(false);
      else requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });

  // -- playing: frames per second -----------------------------------------------------------

  // The Play / Pause button of explorer `index` (the first button of an ipywidgets.Play), or
  // null if it has none.
  npfl.playButton = (index) => {
    const view = npfl.explorers()[index];
    return (view && view.querySelector('.widget-play button')) || null;
  };

  // Is the Play of explorer `index` playing? (Its button then shows the pause icon.)
  npfl.playing = (index) => {
    const button = npfl.playButton(index);
    const icon = button && button.querySelector('i');
    return icon !== null && icon !== undefined && icon.classList.contains('fa-pause');
  };

  // Press Play on explorer `index` and count the animation frames whose figure fingerprint
  // differs from the last one seen, until `n` have; press Pause. Resolves with {changes, ms}
  // (ms: Play → the n-th change), or with {changes, ms: null} after timeoutMs.
  npfl.playChanges = (index, n, timeoutMs) => new Promise((resolve) => {
    const root = npfl.explorers()[index];
    const button = npfl.playButton(index);
    let last = npfl.fingerprint(root), changes = 0;
    const t0 = performance.now();
    const stop = (ms) => {
      if (npfl.playing(index)) button.click();
      resolve({changes, ms});
    };
    const loop = (now) => {
      const fp = npfl.fingerprint(root);
      if (fp !== null && fp !== last) changes++;
      if (fp !== null) last = fp;
      if (changes >= n) return stop(now - t0);
      if (now - t0 > timeoutMs) return stop(null);
      requestAnimationFrame(loop);
    };
    button.click();
    requestAnimationFrame(loop);
  });

  // Press Play on explorer `index`, wait for the first changed frame, let it play warmupMs
  // more, then count for windowMs the animation frames whose figure fingerprint differs from
  // the last one seen; press Pause. Resolves with {changes, frames (all animation frames in
  // the window), ms (the window's length), fps (changes per second), sent (WebSocket messages
  // sent in the window: the Play's values), recvBytes, firstMs (Play → first changed frame)},
  // or null if the figure never changed within timeoutMs.
  npfl.measurePlay = (index, warmupMs, windowMs, timeoutMs) => new Promise((resolve) => {
    const root = npfl.explorers()[index];
    const button = npfl.playButton(index);
    let last = npfl.fingerprint(root);
    const net = {t0: null, sent: [], recv: []};
    let phase = 'first', t0 = performance.now(), start = null, changes = 0, frames = 0;
    let firstMs = null;
    const stop = (result) => {
      npfl.net.armed = null;
      if (npfl.playing(index)) button.click();
      resolve(result);
    };
    const loop = (now) => {
      const fp = npfl.fingerprint(root);
      const changed = fp !== null && fp !== last;
      if (fp !== null) last = fp;
      if (phase === 'first') {
        if (changed) { phase = 'warmup'; firstMs = now - t0; start = now; }
        else if (now - t0 > timeoutMs) return stop(null);
      } else if (phase === 'warmup') {
        if (now - start >= warmupMs) {
          phase = 'count'; start = now;
          npfl.net.armed = net;
        }
      } else {
        frames++;
        if (changed) changes++;
        const ms = now - start;
        if (ms >= windowMs) {
          const recvBytes = net.recv.reduce((a, [, n]) => a + n, 0);
          return stop({changes, frames, ms, fps: 1000 * changes / ms, sent: net.sent.length,
                       recvBytes, firstMs});
        }
      }
      requestAnimationFrame(loop);
    };
    t0 = performance.now();
    button.click();
    requestAnimationFrame(loop);
  });
})();
