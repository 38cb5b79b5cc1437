"""What ``fit`` reports: the History it returns and the progress it shows.

``History.history`` maps every logged quantity ("loss", metrics, "val_loss",
...) to one value per epoch, as in Keras.

Progress (``fit(verbose=...)``; "auto" means 1, as in Keras):

- 0: nothing;
- 1: a bar per epoch. In a terminal a text bar redrawn in place; in a Jupyter
  kernel an ipywidgets bar (imported only then, so the core needs no display
  stack); when stdout is neither (a file, a pipe, captured by pytest) only the
  finished bar of each epoch;
- 2: one line per epoch.

Everything printed is deterministic (no timings, no ETA, no object
addresses), so notebooks that train with ``verbose=1`` still pass nbval.
"""

import sys


class History:
    """Per-epoch logs of one ``fit`` call: ``history.history["loss"][e]`` is epoch e's loss."""

    def __init__(self):
        self.history = {}
        self.epoch = []
        self.params = {}
        self.model = None

    def set_params(self, params):
        self.params = dict(params)

    def set_model(self, model):
        self.model = model

    def on_epoch_end(self, epoch, logs):
        """Append every value in ``logs`` to its list in ``history``."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def format_logs(logs):
    """'loss: 0.1234 - accuracy: 0.9000' (4 decimals, as Keras prints)."""
    return " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())


def _in_jupyter_kernel():
    """True inside an IPython kernel (a notebook), False in a terminal or plain script."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class Silent:
    """verbose=0: report nothing."""

    def on_epoch_begin(self, epoch):
        pass

    def on_batch_end(self, step, get_logs):
        """``get_logs()`` returns the running logs; called only when they are shown."""

    def on_epoch_end(self, epoch, logs):
        pass


class EpochLines(Silent):
    """verbose=2: 'Epoch 3/10 - loss: 0.1234 - val_loss: 0.2345' once per epoch."""

    def __init__(self, epochs, steps, stream=None):
        self.epochs, self.steps = epochs, steps
        self.stream = stream

    def on_epoch_end(self, epoch, logs):
        line = f"Epoch {epoch + 1}/{self.epochs} - {format_logs(logs)}"
        print(line, file=self.stream or sys.stdout)


class TextBar(Silent):
    """verbose=1 outside a notebook: ' 7/10 [=====>....] - loss: 0.1234'.

    Redrawn in place with a carriage return only when stdout is a terminal;
    otherwise only the finished bar is written, so logs hold one clean line.
    """

    width = 30

    def __init__(self, epochs, steps, stream=None):
        self.epochs, self.steps = epochs, steps
        self.stream = stream or sys.stdout
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._every = max(1, steps // 50)  # redraw ~50 times per epoch, not per batch

    def bar(self, step, logs):
        done = self.width * step // self.steps
        arrow = ">" if step < self.steps else "="
        fill = ("=" * max(done - 1, 0) + arrow if done else "").ljust(self.width, ".")
        digits = len(str(self.steps))
        text = f"{step:>{digits}}/{self.steps} [{fill}]"
        return f"{text} - {format_logs(logs)}" if logs else text

    def on_epoch_begin(self, epoch):
        print(f"Epoch {epoch + 1}/{self.epochs}", file=self.stream)

    def on_batch_end(self, step, get_logs):
        if self.live and (step % self._every == 0) and step < self.steps:
            self.stream.write("\r" + self.bar(step, get_logs()))
            self.stream.flush()

    def on_epoch_end(self, epoch, logs):
        self.stream.write(("\r" if self.live else "") + self.bar(self.steps, logs) + "\n")
        self.stream.flush()


class WidgetBar(Silent):
    """verbose=1 in a notebook: an ipywidgets progress bar with the epoch and the logs.

    Its text/plain form is fixed when it is displayed (before any number is
    known), so the saved output is identical on every run.
    """

    def __init__(self, epochs, steps):
        import ipywidgets  # only in a kernel: the core must import without a display stack
        from IPython.display import display

        self.epochs, self.steps = epochs, steps
        self._every = max(1, steps // 50)  # each update is a message to the browser
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=steps)
        self.label = ipywidgets.Label(value="")
        display(ipywidgets.HBox([self.progress, self.label]))

    def on_epoch_begin(self, epoch):
        self.epoch = epoch
        self.progress.value = 0
        self.label.value = f"Epoch {epoch + 1}/{self.epochs}"

    def on_batch_end(self, step, get_logs):
        if step % self._every == 0 or step == self.steps:
            self.progress.value = step
            self.label.value = f"Epoch {self.epoch + 1}/{self.epochs} - {format_logs(get_logs())}"

    def on_epoch_end(self, epoch, logs):
        self.progress.value = self.steps
        self.label.value = f"Epoch {epoch + 1}/{self.epochs} - {format_logs(logs)}"


def progress(verbose, epochs, steps, stream=None):
    """The progress reporter for ``fit(verbose=...)``: 0 silent, 1 bar, 2 one line per epoch."""
    verbose = _check_verbose(verbose)
    if verbose == 0:
        return Silent()
    if verbose == 2:
        return EpochLines(epochs, steps, stream)
    if stream is None and _in_jupyter_kernel():
        try:
            return WidgetBar(epochs, steps)
        except ImportError:  # a kernel without ipywidgets still gets the text bar
            pass
    return TextBar(epochs, steps, stream)


def report_done(verbose, steps, logs=None, stream=None):
    """evaluate/predict: the finished bar ('4/4 [=====] - loss: ...') unless verbose=0."""
    if _check_verbose(verbose):
        print(TextBar(1, steps).bar(steps, logs or {}), file=stream or sys.stdout)


def _check_verbose(verbose):
    """Keras's verbose values: "auto" (= 1), 0, 1, 2."""
    if verbose == "auto":
        return 1
    if verbose in (0, 1, 2) and not isinstance(verbose, float):
        return int(verbose)
    raise ValueError(f'verbose must be "auto", 0, 1 or 2, got {verbose!r}.')
