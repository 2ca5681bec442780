"""Fault injection for checkpoints (nn.archive, nn.serialization): planted symlinks, concurrent
writers and a reader, failing writes, crafted archives (truncated members, forged sizes, pickled
objects, terabyte headers, deflate bombs, deep nesting) with peak-memory checks."""

import io
import json
import os
import struct
import threading
import tracemalloc
import zipfile

import numpy as np
import pytest

import nn
from nn import archive, serialization

MiB = 1 << 20


def _model(seed=0):
    return nn.Sequential(nn.Linear(4, 8, rng=seed), nn.ReLU(), nn.Linear(8, 3, rng=seed + 1))


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def _npy_bytes(header_shape, dtype, data):
    """A .npy member whose header announces ``header_shape`` but which stores ``data`` bytes."""
    buffer = io.BytesIO()
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": header_shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + data


def _crafted(path, members, compression=zipfile.ZIP_STORED):
    """A zip whose members are given as raw bytes (name without .npy -> bytes)."""
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for key, raw in members.items():
            zf.writestr(key + ".npy", raw)
    return path


def _format_member():
    buffer = io.BytesIO()
    np.save(buffer, np.array(serialization.FORMAT))
    return buffer.getvalue()


def _peak_bytes(function, *args):
    tracemalloc.start()
    try:
        function(*args)
    except Exception as error:  # the error is what the caller checks; the peak is measured either way
        result = error
    else:
        result = None
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, result


# -- saving -----------------------------------------------------------------------------
def test_symlink_planted_at_the_old_fixed_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = tmp_path / "model.npz"
    (tmp_path / "model.npz.partial").symlink_to(victim)
    nn.save(_model(), path)
    assert victim.read_text() == "precious"
    assert path.is_file() and not path.is_symlink()


def test_symlink_planted_at_the_chosen_temporary_name_is_skipped_never_opened(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = tmp_path / "model.npz"
    planted = tmp_path / ".planted.tmp"
    planted.symlink_to(victim)
    dangling = tmp_path / ".dangling.tmp"
    dangling.symlink_to(tmp_path / "nowhere")
    names = iter([planted, dangling, tmp_path / ".fresh.tmp"])
    monkeypatch.setattr(archive, "temporary_name", lambda target: next(names))
    nn.save(_model(), path)
    assert victim.read_text() == "precious" and not (tmp_path / "nowhere").exists()
    assert planted.is_symlink() and dangling.is_symlink()  # not ours: left alone
    assert not (tmp_path / ".fresh.tmp").exists() and path.is_file() and not path.is_symlink()
    np.testing.assert_array_equal(nn.load(path)[0].weight.data, _model()[0].weight.data)


def test_save_gives_up_when_every_temporary_name_is_taken(tmp_path, monkeypatch):
    taken = tmp_path / ".taken.tmp"
    taken.write_text("someone else's")
    monkeypatch.setattr(archive, "temporary_name", lambda target: taken)
    with pytest.raises(FileExistsError, match="no free temporary name"):
        nn.save(_model(), tmp_path / "model.npz")
    assert taken.read_text() == "someone else's" and not (tmp_path / "model.npz").exists()


@pytest.mark.parametrize("failing", ["fsync", "savez", "replace"])
def test_failed_save_keeps_the_previous_file_byte_identical_and_leaves_no_temporary(tmp_path, monkeypatch, failing):
    path = nn.save(_model(0), tmp_path / "model.npz")
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    target = {"fsync": (os, "fsync"), "savez": (np, "savez"), "replace": (os, "replace")}[failing]
    monkeypatch.setattr(*target, fail)
    with pytest.raises(OSError, match="No space left"):
        nn.save(_model(1), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_refused_state_never_touches_the_previous_file(tmp_path):
    path = nn.save(_model(0), tmp_path / "model.npz")
    before = path.read_bytes()
    with pytest.raises(TypeError):
        nn.save(_model(1), path, optimizer={"state": {0: {"x": object()}}, "param_groups": []})
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_concurrent_saves_all_succeed_and_a_reader_sees_only_complete_files(tmp_path):
    path = tmp_path / "model.npz"
    versions = {seed: _model(seed) for seed in range(3)}
    expected = {seed: model[0].weight.data.copy() for seed, model in versions.items()}
    nn.save(versions[0], path)
    errors, seen, done = [], [], threading.Event()

    def write(seed):
        try:
            for _ in range(40):
                nn.save(versions[seed], path)
        except Exception as error:
            errors.append(error)

    def read():
        while not done.is_set():
            try:
                weight = nn.load(path)[0].weight.data
            except Exception as error:
                errors.append(error)
                return
            seen.append(next(seed for seed, w in expected.items() if np.array_equal(w, weight)))

    writers = [threading.Thread(target=write, args=(seed,)) for seed in (1, 2)]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    assert errors == []
    assert len(seen) > 0
    assert _leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


# -- crafted archives -------------------------------------------------------------------------
def test_truncated_member_is_named_as_truncated_not_as_pickle(tmp_path):
    path = _crafted(
        tmp_path / "cut.npz",
        {"format": _format_member(), "model/0.weight": _npy_bytes((8, 4), np.float32, b"\0" * 40)},
    )
    with pytest.raises(nn.SerializationError, match=r"cut.npz: truncated member 'model/0.weight.npy'.*\(8, 4\)"):
        nn.serialization.read(path)


def test_terabyte_header_claim_is_refused_before_any_allocation(tmp_path):
    data = b"\0" * MiB
    path = _crafted(
        tmp_path / "claim.npz",
        {"format": _format_member(), "model/0.weight": _npy_bytes((1 << 18, 1 << 20), np.float32, data)},
    )
    assert path.stat().st_size < 2 * MiB
    model = _model()
    peak, error = _peak_bytes(serialization.load_into, model, path)
    assert isinstance(error, nn.SerializationError) and "truncated member" in str(error) and "claim.npz" in str(error)
    assert peak < 3 * MiB


def _patch_central_sizes(raw, new_size):
    """Set the compressed and uncompressed sizes of every central-directory entry."""
    raw = bytearray(raw)
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        struct.pack_into("<II", raw, start + 20, new_size, new_size)
        start = raw.find(b"PK\x01\x02", start + 4)
    return bytes(raw)


def test_forged_zip_sizes_are_refused(tmp_path):
    good = nn.save(_model(), tmp_path / "good.npz").read_bytes()
    forged = tmp_path / "forged.npz"
    forged.write_bytes(_patch_central_sizes(good, 0xFFFF0000))
    peak, error = _peak_bytes(nn.load, forged)
    assert isinstance(error, nn.SerializationError) and "forged.npz: forged size" in str(error)
    assert peak < 3 * MiB


class _Unpickled:
    calls = []

    def __reduce__(self):
        return (_Unpickled.calls.append, ("unpickled!",))


def test_pickled_object_arrays_are_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, format=np.array(serialization.FORMAT), **{"model/0.weight": np.array([_Unpickled()], dtype=object)})
    model = _model()
    before = model[0].weight.data.copy()
    for function, args in [(nn.load, (path,)), (serialization.load_into, (model, path)), (serialization.read, (path,))]:
        with pytest.raises(nn.SerializationError, match="evil.npz: member 'model/0.weight.npy' holds a pickled object"):
            function(*args)
    assert _Unpickled.calls == []
    np.testing.assert_array_equal(model[0].weight.data, before)


def test_compressed_bomb_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "bomb.npz"
    np.savez_compressed(
        path, format=np.array(serialization.FORMAT), **{"model/0.weight": np.zeros(256 * MiB, np.uint8)}
    )
    assert path.stat().st_size < 2 * MiB
    peak, error = _peak_bytes(serialization.load_into, _model(), path)
    assert isinstance(error, nn.SerializationError) and "is compressed" in str(error)
    assert peak < 3 * MiB


def test_big_member_is_checked_against_the_model_before_its_data_is_read(tmp_path):
    path = tmp_path / "big.npz"
    np.savez(path, format=np.array(serialization.FORMAT), **{"model/0.weight": np.ones((8, 32 * 1024), np.float32)})
    peak, error = _peak_bytes(serialization.load_into, _model(), path)
    assert isinstance(error, serialization.CheckpointMismatchError) and "big.npz" in str(error)
    assert "size mismatch for 0.weight: copying a param with shape torch.Size([8, 32768])" in str(error)
    assert peak < MiB  # the member holds 1 MiB; none of it was read


def test_damaged_data_fails_the_crc_check(tmp_path):
    path = nn.save(_model(), tmp_path / "model.npz")
    raw = bytearray(path.read_bytes())
    header_end = raw.find(b"\n", raw.find(b"model/0.weight.npy")) + 1
    raw[header_end + 5] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(nn.SerializationError, match="model.npz: damaged member 'model/0.weight.npy'.*CRC"):
        nn.load(path)


def _patch_central_field(raw, offset, fmt, value):
    """Set one field of every central-directory entry (``offset`` bytes into its header)."""
    raw = bytearray(raw)
    start = raw.find(b"PK\x01\x02")
    while start != -1:
        struct.pack_into(fmt, raw, start + offset, value)
        start = raw.find(b"PK\x01\x02", start + 4)
    return bytes(raw)


@pytest.mark.parametrize(
    ("offset", "fmt", "value", "problem"),
    [
        (6, "<H", 0xFF, "zip file version"),  # version needed to extract: 25.5
        (8, "<H", 0x20, "compressed patched data"),  # general purpose flag bit 5
        (8, "<H", 0x40, "strong encryption"),  # general purpose flag bit 6
    ],
)
def test_zip_features_python_cannot_read_are_one_serialization_error(tmp_path, offset, fmt, value, problem):
    """zipfile raises NotImplementedError for these (a damaged byte in the zip directory can set them)."""
    path = tmp_path / "odd.npz"
    path.write_bytes(_patch_central_field(nn.save(_model(1), tmp_path / "good.npz").read_bytes(), offset, fmt, value))
    model = _model()
    before = {name: value.copy() for name, value in model.state_dict().items()}
    for function, args in [(nn.load, (path,)), (serialization.load_into, (model, path)), (serialization.read, (path,))]:
        with pytest.raises(nn.SerializationError, match=f"odd.npz: .*{problem}"):
            function(*args)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize("length", [0, 10, 100, 1000, 2000])
def test_every_truncation_of_a_checkpoint_is_one_serialization_error(tmp_path, length):
    raw = nn.save(_model(), tmp_path / "model.npz", optimizer=nn.optim.Adam(_model().parameters())).read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(raw[:length])
    with pytest.raises(nn.SerializationError, match="cut.npz"):
        nn.load(cut)


def _with_text(tmp_path, key, text):
    path = nn.save(_model(), tmp_path / "model.npz")
    with np.load(path) as archive_file:
        arrays = {name: archive_file[name] for name in archive_file.files}
    arrays[key] = np.array(text)
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("key", ["architecture", "optimizer/layout"])
def test_deeply_nested_json_is_a_serialization_error_not_a_recursion_error(tmp_path, key):
    for depth in (500, 100_000):
        path = _with_text(tmp_path, key, "[" * depth + "]" * depth)
        with pytest.raises(nn.SerializationError, match="nests deeper than"):
            nn.load(path) if key == "architecture" else serialization.read(path)


def test_directory_and_unreadable_paths_are_serialization_errors(tmp_path):
    with pytest.raises(nn.SerializationError, match="cannot be opened"):
        nn.load(tmp_path)
    if os.geteuid() != 0:
        path = nn.save(_model(), tmp_path / "model.npz")
        path.chmod(0)
        with pytest.raises(nn.SerializationError, match="model.npz: cannot be opened"):
            nn.load(path)


def test_fortran_ordered_and_big_endian_members_read_correctly(tmp_path):
    weight = np.asfortranarray(np.arange(32, dtype=">f4").reshape(8, 4))
    state = {**_model().state_dict(), "0.weight": weight}
    path = nn.save(state, tmp_path / "state.npz")
    restored = serialization.read(path)["model"]["0.weight"]
    np.testing.assert_array_equal(restored, weight)
    model = _model(5)
    serialization.load_into(model, path)
    np.testing.assert_array_equal(model[0].weight.data, weight)


def test_architecture_record_claiming_a_huge_layer_is_refused_before_building(tmp_path):
    path = _with_text(
        tmp_path,
        "architecture",
        json.dumps(
            {
                "class": "Sequential",
                "config": {
                    "modules": [
                        {
                            "class": "Linear",
                            "config": {
                                "in_features": 100_000,
                                "out_features": 100_000,
                                "bias": True,
                                "dtype": "float32",
                            },
                        },
                        {"class": "ReLU", "config": {}},
                        {
                            "class": "Linear",
                            "config": {"in_features": 8, "out_features": 3, "bias": True, "dtype": "float32"},
                        },
                    ]
                },
            }
        ),
    )
    peak, error = _peak_bytes(nn.load, path)
    assert isinstance(error, nn.SerializationError)
    assert "does not match the stored weights (0.bias: record (100000,), file (8,)" in str(error)
    assert peak < MiB
