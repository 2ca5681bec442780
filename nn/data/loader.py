"""``DataLoader``: mini-batches of Tensors from arrays or a dataset, as torch's ``DataLoader``, with
samplers, a ``collate_fn`` and a seed for shuffling."""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic

import numpy as np

from autograd import Node, Tensor
from autograd.shape_errors import is_integer

from ..checks import check_integer
from .collate import default_collate, sliced_batch
from .convert import default_convert
from .dataset import Sample, TensorDataset, aligned_arrays, is_map_dataset, samples_at
from .iterable import IterableDataset
from .loader_iterator import LoaderIterator
from .samplers import BatchSampler, RandomSampler, SequentialSampler, check_generator
from .torch_errors import torch_count, torch_flag
from .worker_options import WorkerOptions, check_pass_options


class _Unset:
    """A default that tells "not given" from every value a caller may pass (None included), shown in the
    signature as the value it stands for."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def __repr__(self) -> str:
        return self.shown


#: The default ``batch_size``, 1 as torch's: a batch size given both positionally and by keyword is caught.
_DEFAULT_BATCH_SIZE: Any = _Unset("1")

#: The default of the data: not given (torch's ``dataset`` has no default; the library names what is missing).
_NO_DATA: Any = _Unset("None")

#: Attributes torch refuses to change once a DataLoader is made: its batches would silently not follow.
_FIXED_AFTER_INIT = frozenset({"batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"})


class DataLoader(Generic[Sample]):
    """Iterate over a dataset in mini-batches, as torch's ``DataLoader``: ``for x, y in DataLoader(X, y, batch_size=32)``.

    **Data.** ``X`` (the first argument, torch's ``dataset``) is one of

    * an array or Tensor (then ``y`` is an optional array of the same length): its rows are the samples;
    * a tuple of arrays of one length, as in ``DataLoader((X, y))``, or a ``TensorDataset``;
    * a dataset as in torch: a list of samples (or a dict of them by index), or any object with ``__len__``
      and ``__getitem__(i)`` giving one sample (a :class:`~nn.data.Dataset`, ``Subset``, ``ConcatDataset``,
      ``range``...). A sample is an array, a number, a Value/Tensor, or a tuple/list/dict of those.

    ``loader.dataset`` is the dataset read: ``X`` itself, or a ``TensorDataset`` of ``(X, y)`` or of the
    tuple's arrays. Rows of arrays (and of a ``TensorDataset``) are sliced a batch at a time: each batch is
    a tuple with one slice per array, as a Tensor (a bare Tensor when there is only one; a list for a
    ``TensorDataset`` given as the dataset, as torch's ``default_collate`` batches its tuple samples). A dataset's samples are read
    one by one, or by its ``__getitems__(indices)`` for a whole batch when it defines one (as in torch),
    and the list handed to ``collate_fn`` (:func:`~nn.data.default_collate`: stacked into Tensors field
    by field). Batches are Tensors as in torch (``labels.size(0)``, ``x.view(len(x), -1)``, ``x.to(device)``
    work on them), sharing the memory of the slices they are made of. A ``TensorDataset`` subclass that overrides ``__getitem__`` or defines ``__getitems__`` is
    read through them, like any dataset.

    **Batches.** ``batch_size`` (default 1, as torch's) samples per batch; ``drop_last=True`` drops a
    final batch smaller than that. ``batch_size=None`` turns batching off, as in torch: each item is one
    sample as the dataset gives it (a row of the arrays), passed through ``collate_fn``, by default
    :func:`~nn.data.default_convert` (numpy arrays and numpy numbers in it become Tensors, as torch's).
    The positional parameters are torch's, in torch's order (``DataLoader(dataset, 16, True, sampler, ...)``:
    batch_size, shuffle, sampler, batch_sampler, num_workers, collate_fn, pin_memory, drop_last, timeout,
    worker_init_fn, multiprocessing_context, generator), except that a second argument that is an array of
    targets (not an integer or None) is the library's ``y``, the positional ones after it then following torch's
    order from batch_size; ``y=`` and ``seed=`` are keywords, and ``dataset=`` is torch's keyword for the first
    argument.

    **Order.** ``sampler`` (an iterable of indices) or ``batch_sampler`` (an iterable of lists of
    indices) choose the samples, as in torch; otherwise the order is sequential, or with ``shuffle=True``
    a fresh permutation every pass (epoch): pass k draws from ``numpy.random.default_rng((seed, k))``, so
    the same ``seed`` repeats the same sequence of epochs. ``generator`` is torch's name for that seed
    source: an int seed (as ``seed``) or a ``numpy.random.Generator`` (each pass draws from it). Without
    either, each pass draws its order from the library's random state when its first batch is asked for
    (seeded by ``autograd.manual_seed``, else fresh entropy), as torch's draws from its global generator: seeding
    before a pass replays it, and making a loader draws nothing. As in torch, ``sampler`` excludes ``shuffle``, and
    ``batch_sampler`` excludes ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.

    **Streams.** An :class:`~nn.data.IterableDataset` is read as torch reads one: each pass takes
    ``batch_size`` samples at a time from a fresh ``iter(dataset)`` (the last batch may be smaller, or
    dropped with ``drop_last``); ``shuffle``, ``sampler`` and ``batch_sampler`` are refused (a stream has
    no indices to order), and ``len(loader)`` needs the dataset's ``__len__``. Once ``len(loader)`` was asked, a
    pass begun after it warns, as torch's, for each item past that length (torch counts batches against the
    stream's number of samples, and so does this).

    **Passes.** ``iter(loader)`` is one pass (:class:`~nn.data.loader_iterator.LoaderIterator`): as in
    torch, an error raised while reading a batch reaches the caller of ``next()``, and the next ``next()``
    goes on with the following batch. ``batch_size``, ``batch_sampler``, ``sampler``, ``drop_last``,
    ``dataset`` and ``persistent_workers`` cannot be assigned after construction (a ValueError, as in
    torch); make a new DataLoader instead. A ``batch_size`` that is not a positive integer is a
    ValueError, as in torch.

    **Workers.** Batches are always read in the calling process. ``num_workers`` (any integer >= 0),
    ``pin_memory``, ``timeout``, ``worker_init_fn`` (never called), ``multiprocessing_context``,
    ``prefetch_factor``, ``persistent_workers``, ``pin_memory_device`` and ``in_order`` are accepted
    for code written for torch and change nothing; torch's refusals (``prefetch_factor``,
    ``persistent_workers`` or ``multiprocessing_context`` without workers, a ``multiprocessing_context`` that
    is neither a start method's name nor a context, negative ``num_workers`` or ``timeout``) are kept, and so are
    those torch makes when a pass begins: ``iter(loader)`` refuses a ``timeout`` above 0 without workers and a
    ``prefetch_factor`` of 0 with them (torch's AssertionError, also a ValueError).
    """

    def __init__(self: DataLoader[Any], dataset: Any = _NO_DATA, *positional: Any, **options: Any) -> None:
        """torch's parameters in torch's order (the signature shown is :meth:`_setup`'s), with the library's
        ``DataLoader(X, y, ...)``: a second argument that is an array of targets (not a batch size) is ``y``, and
        any positional arguments after it take torch's order from ``batch_size`` on."""
        if positional and _is_targets(positional[0]):
            if "y" in options:
                raise TypeError("DataLoader: targets given twice, after the data and as y=")
            options = {**options, "y": positional[0]}
            positional = positional[1:]
        try:
            _SETUP_SIGNATURE.bind(self, dataset, *positional, **options)
        except TypeError as error:  # an argument given twice, or one torch's DataLoader does not take
            raise TypeError(f"DataLoader: {error}") from None
        self._setup(dataset, *positional, **options)

    def _setup(
        self,
        dataset: Any = _NO_DATA,
        batch_size: int | None = _DEFAULT_BATCH_SIZE,
        shuffle: bool | None = None,
        sampler: Iterable[Any] | None = None,
        batch_sampler: Iterable[Any] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], Any] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | int | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        y: Any = None,
        seed: int | None = None,
    ) -> None:
        """Make the loader from torch's parameters, ``y`` (the targets of an array ``dataset``) and ``seed``."""
        if dataset is _NO_DATA:
            raise TypeError("DataLoader: missing the data (the first argument, or dataset= as in torch)")
        X = dataset
        batch_size_given = batch_size is not _DEFAULT_BATCH_SIZE
        self.dataset, self.arrays = _dataset_and_arrays(X, y)
        # a TensorDataset's tuple samples batch as a list (torch's default_collate); DataLoader(X, y) and
        # DataLoader((X, y)), the library's own forms, batch as a tuple
        self._batches_as_lists = isinstance(X, TensorDataset)
        self._streamed = isinstance(self.dataset, IterableDataset)
        if self._streamed:
            _check_stream_options(shuffle, sampler, batch_sampler)
        else:
            if sampler is None and batch_sampler is None:  # the default samplers count the samples
                check_integer("DataLoader", "len(dataset)", len(self.dataset), 0)
        self.shuffle = bool(shuffle)
        self.batch_size: int | None = _checked_batch_size(
            batch_size if batch_size_given else 1,
            batch_size_given,
            self.shuffle,
            bool(drop_last),
            sampler,
            batch_sampler,
        )
        # batching by batch_size: a bool, as torch's BatchSampler checks it (drop_last='no' would drop)
        self.drop_last = (
            bool(drop_last) if self.batch_size is None else torch_flag("DataLoader", "drop_last", drop_last)
        )
        self.seed, self.generator = _seed_and_generator(seed, generator)
        if sampler is None and not self._streamed:
            shuffling = self.generator if isinstance(self.generator, np.random.Generator) else self.seed
            sampler = (
                RandomSampler(self.dataset, generator=shuffling) if self.shuffle else SequentialSampler(self.dataset)
            )
        self.sampler = sampler
        if batch_sampler is None and self.batch_size is not None and not self._streamed:
            batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)
        self.batch_sampler = batch_sampler
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable or None, got {collate_fn!r}")
        batching = batch_sampler is not None or (self._streamed and self.batch_size is not None)
        if collate_fn is None:  # torch's defaults: default_collate when batching, else default_convert
            collate_fn = default_collate if batching else default_convert
        self.collate_fn = collate_fn
        workers = WorkerOptions.checked(
            num_workers,
            pin_memory,
            timeout,
            worker_init_fn,
            multiprocessing_context,
            prefetch_factor,
            persistent_workers,
            pin_memory_device,
        )
        self.num_workers = workers.num_workers  # torch's worker options, kept; batches are read in-process
        self.pin_memory = workers.pin_memory
        self.timeout = workers.timeout
        self.worker_init_fn = workers.worker_init_fn
        self.multiprocessing_context = workers.multiprocessing_context
        self.prefetch_factor = workers.prefetch_factor
        self.persistent_workers = workers.persistent_workers
        self.pin_memory_device = workers.pin_memory_device
        self.in_order = bool(in_order)
        self.epoch = 0
        #: The stream's length as ``len(loader)`` last read it (None until asked): a pass begun after that warns, as
        #: torch's, once it has given more items than this
        self._reported_length: int | None = None
        self._initialized = True

    @property
    def num_samples(self) -> int:
        """Number of samples (rows) in the dataset."""
        return len(self.dataset)

    def __len__(self) -> int:
        """Number of items per pass: batches (floor(n / b) with ``drop_last``, else ceil(n / b)), or samples
        without batching; with a sampler or batch sampler, their length."""
        if self._streamed:
            samples = self._reported_length = len(self.dataset)  # a TypeError for a stream without __len__, as torch
            if self.batch_size is None:
                return samples
            return samples // self.batch_size if self.drop_last else -(-samples // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]

    __init__.__signature__ = inspect.signature(_setup)  # type: ignore[attr-defined]  # what help() and tools show

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an attribute; those that shape the batches are fixed once the loader is made, as in torch."""
        if name in _FIXED_AFTER_INIT and self.__dict__.get("_initialized", False):
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    def __iter__(self) -> LoaderIterator:
        """A pass over the data (the next epoch); an error in one batch leaves the pass going (see
        :class:`~nn.data.loader_iterator.LoaderIterator`)."""
        check_pass_options(self.num_workers, self.timeout, self.prefetch_factor)
        self.epoch += 1
        if self._streamed:
            samples = iter(self.dataset)
            fetch: Callable[[Any], Any] = self._stream_sample if self.batch_size is None else self._stream_batch
            if self._reported_length is not None:
                fetch = _warning_past(fetch, self._reported_length, self.dataset)
            return LoaderIterator(itertools.repeat(samples), fetch, self.__len__)
        if self.batch_sampler is None:
            return LoaderIterator(iter(self.sampler), self._unbatched, self.__len__)  # type: ignore[arg-type]
        return LoaderIterator(iter(self.batch_sampler), self._batch, self.__len__)

    def _stream_sample(self, samples: Iterator[Any]) -> Any:
        """The next sample of a stream, through ``collate_fn`` (no batching; :func:`default_convert` by default)."""
        return self.collate_fn(next(samples))

    def _stream_batch(self, samples: Iterator[Any]) -> Any:
        """The next ``batch_size`` samples of a stream through ``collate_fn``; StopIteration when the
        stream is dry, or with ``drop_last`` when it holds too few for a whole batch."""
        assert self.batch_size is not None  # batching on
        batch = list(itertools.islice(samples, self.batch_size))
        if not batch or (self.drop_last and len(batch) < self.batch_size):
            raise StopIteration
        return self.collate_fn(batch)

    def _unbatched(self, index: Any) -> Any:
        """Sample ``index`` (no batching), through ``collate_fn`` (:func:`default_convert` by default). A
        TensorDataset's ``collate_fn`` gets the dataset's item (its tuple of Tensors), as torch's."""
        if self._batches_as_lists:
            return self.collate_fn(self.dataset[index])
        return self.collate_fn(self._sample(index))

    def _sample(self, index: Any) -> Any:
        """Sample ``index``: a row of each array (a bare row for one array), else the dataset's item."""
        if not self.arrays:
            return self.dataset[index]
        rows = tuple(array[index] for array in self.arrays)
        return rows[0] if len(rows) == 1 else rows

    def _batch(self, indices: Any) -> Any:
        """The batch of the samples at ``indices``: the arrays' rows sliced at once for the default
        collation, else ``collate_fn`` of the list of samples (read by the dataset's ``__getitems__``
        when it has one, as in torch, else one by one)."""
        if self.arrays and self.collate_fn is default_collate:
            rows = _checked_rows(indices, len(self.arrays[0]))
            slices = tuple(
                array[rows] if isinstance(array, Tensor) else sliced_batch(array[rows]) for array in self.arrays
            )
            if self._batches_as_lists:  # a TensorDataset, even of one array: a list, as torch's default_collate
                return list(slices)
            return slices[0] if len(slices) == 1 else slices
        return self.collate_fn(samples_at(self.dataset, indices))

    def __repr__(self) -> str:
        source = (
            f"shapes={[array.shape for array in self.arrays]}"
            if self.arrays
            else f"dataset={type(self.dataset).__name__}"
        )
        size = "" if self._streamed or not _has_length(self.dataset) else f", n={self.num_samples}"
        return (
            f"DataLoader({source}{size}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, seed={self.seed})"
        )


#: The parameters a DataLoader takes (torch's, then the library's ``y`` and ``seed``), to check a call against.
_SETUP_SIGNATURE = inspect.signature(DataLoader._setup)


def _is_targets(value: Any) -> bool:
    """Whether a DataLoader's second positional argument is the library's ``y`` (an array of targets) rather than
    torch's ``batch_size`` (an integer, or None: anything else is left to the batch size's checks)."""
    if value is None or is_integer(value) or isinstance(value, (str, bytes)):
        return False
    return isinstance(value, (np.ndarray, Node, list, tuple)) or hasattr(value, "__array__")


def _dataset_and_arrays(X: Any, y: Any) -> tuple[Any, tuple[np.ndarray, ...]]:
    """The dataset a DataLoader reads and, when its samples are rows of aligned arrays, those arrays
    (sliced a batch at a time); no arrays when the samples are read one by one."""
    if y is not None:
        if is_map_dataset(X):
            raise TypeError(
                f"DataLoader: a dataset object ({type(X).__name__}) holds its targets; pass y only with an array X"
            )
        arrays = aligned_arrays("DataLoader", (X, y))
        return TensorDataset(*arrays), arrays
    if isinstance(X, IterableDataset):
        return X, ()
    if isinstance(X, TensorDataset) and _reads_rows_as_given(X):
        return X, X.arrays
    if isinstance(X, tuple):  # the library's tuple of aligned arrays, DataLoader((X, y))
        arrays = aligned_arrays("DataLoader", X)
        return TensorDataset(*arrays), arrays
    if isinstance(X, (list, dict)) or is_map_dataset(X):  # a dict of samples by index, as torch reads one
        return X, ()
    if not isinstance(X, (np.ndarray, Node)) and not hasattr(X, "__array__") and not hasattr(X, "__len__"):
        raise TypeError(
            f"DataLoader: expected a Dataset, an IterableDataset, a list of samples or arrays, got {type(X).__name__} "
            "(a generator or iterator is an IterableDataset's job: wrap it in one)"
        )
    return X, aligned_arrays("DataLoader", (X,))  # an array or a Tensor


def _reads_rows_as_given(dataset: TensorDataset) -> bool:
    """Whether the samples of ``dataset`` are its arrays' rows as they are, so that a batch may be sliced
    from the arrays at once: a TensorDataset, or a subclass that reads samples with TensorDataset's own
    ``__getitem__`` and has no ``__getitems__``."""
    if type(dataset) is TensorDataset:
        return True
    return type(dataset).__getitem__ is TensorDataset.__getitem__ and not hasattr(dataset, "__getitems__")


def _checked_rows(indices: Any, samples: int) -> np.ndarray:
    """A batch's ``indices`` (from the sampler or batch sampler) as rows into arrays of ``samples`` rows: integers
    in [-samples, samples), as torch's dataset[index] takes them; anything else an IndexError naming the index (a
    cast would read row 0 for an index 0.9 and row 1 for "1")."""
    rows = np.asarray(indices)
    if rows.size and rows.dtype.kind not in "iu":
        raise IndexError(f"DataLoader: sample indices must be integers, the sampler gave {indices!r}")
    rows = rows.astype(np.intp)
    outside = rows[(rows < -samples) | (rows >= samples)]
    if outside.size:
        raise IndexError(
            f"DataLoader: sample index {int(outside[0])} is out of range for a dataset of {samples} samples"
        )
    return rows


def _check_stream_options(shuffle: Any, sampler: Any, batch_sampler: Any) -> None:
    """torch's refusals for an IterableDataset: a stream has no indices to shuffle or sample."""
    for name, value, unspecified in (
        ("shuffle", shuffle, shuffle is None or shuffle is False),
        ("sampler", sampler, sampler is None),
        ("batch_sampler", batch_sampler, batch_sampler is None),
    ):
        if not unspecified:
            raise ValueError(
                f"DataLoader with IterableDataset: expected unspecified {name} option, but got {name}={value!r}"
            )


def _checked_batch_size(
    batch_size: Any, given: bool, shuffle: bool, drop_last: bool, sampler: Any, batch_sampler: Any
) -> int | None:
    """The batch size (None: no batching), after torch's checks of the options that exclude each other."""
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if (given and batch_size != 1) or shuffle or sampler is not None or drop_last:
            raise ValueError(
                "DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"
            )
        return None
    if batch_size is None:
        if drop_last:
            raise ValueError(
                "DataLoader: batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
            )
        return None
    return torch_count("DataLoader", "batch_size", batch_size)


def _seed_and_generator(seed: Any, generator: Any) -> tuple[int | None, np.random.Generator | int | None]:
    """The shuffling seed (None when a Generator is the source, or when neither is given: each pass then draws from
    the library's random state) and the ``generator`` as given (checked)."""
    generator = check_generator("DataLoader", generator)
    if generator is not None and seed is not None:
        raise TypeError(
            "DataLoader: got both seed= and generator= (generator is torch's name for the shuffling seed source); "
            "pass one"
        )
    if isinstance(generator, np.random.Generator):
        return None, generator
    if generator is not None:
        return generator, generator
    if seed is not None:
        return check_integer("DataLoader", "seed", seed, 0), None
    return None, None


def _warning_past(fetch: Callable[[Any], Any], reported: int, dataset: Any) -> Callable[[Any], Any]:
    """``fetch`` (of a stream's pass), warning as torch's once the pass has given more items than the length
    ``reported`` by ``len(loader)``: torch compares the items given (batches, when batching) with the stream's
    ``len``, its number of samples, and so does this."""
    fetched = 0

    def counted(samples: Any) -> Any:
        nonlocal fetched
        item = fetch(samples)
        fetched += 1
        if fetched > reported:
            warnings.warn(
                f"Length of IterableDataset {dataset} was reported to be {reported}(when accessing len(dataloader)), "
                f"but {fetched} samples have been fetched. ",
                stacklevel=3,  # the caller of next()
            )
        return item

    return counted


def _has_length(dataset: Any) -> bool:
    """Whether ``len(dataset)`` works (a dataset read through a sampler of its own need not define it, as torch's)."""
    try:
        len(dataset)
    except (TypeError, NotImplementedError):
        return False
    return True
