"""torch's OpInfo samples (tests/opinfo_oracle.py) of the ``linalg.*`` and ``special.*`` OpInfos this library has:
every sample's outputs and the gradients of every input requiring grad, against torch 2.13.

``linalg.eigh``'s eigenvectors and ``linalg.svd``'s singular vectors are defined up to a sign per vector: those
samples are compared after their OpInfo's ``output_process_fn_grad`` (the eigenvalues and |eigenvectors|, and svd's
products of U and Vh that do not depend on the signs), gradients included, as torch's own tests compare them.
No sample is left out.
"""

import opinfo_oracle as oracle
import pytest

#: OpInfos whose outputs are defined up to signs: compared through their sample's output_process_fn_grad.
UP_TO_SIGNS = {"linalg.eigh", "linalg.svd"}

OPS = oracle.ops_we_have(lambda name: name.startswith(("linalg.", "special.")))


@pytest.mark.parametrize(("op", "index"), oracle.sample_params(OPS))
def test_sample_matches_torch(op, index):
    oracle.check_sample(op, index, processed=oracle.op_id(op) in UP_TO_SIGNS)
