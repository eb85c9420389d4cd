"""parallel_run and sweep on a cluster whose connections are all TLS (distributed.security.Security),
with certificates made here: same results as in this process."""

import shutil
import subprocess

import numpy as np
import pytest
import xarray as xr
from distributed import Client, LocalCluster
from distributed.security import Security

import dasksnn as ann


def make_security(directory):
    """``Security.temporary()`` (needs the cryptography package), else a self-signed certificate
    from the openssl command, for every role, as ``Security.temporary()`` makes."""
    try:
        return Security.temporary()
    except ImportError:
        pass
    if shutil.which("openssl") is None:
        pytest.skip("making certificates needs the cryptography package or the openssl command")
    key, cert = str(directory / "key.pem"), str(directory / "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=dask-internal", "-addext", "subjectAltName=DNS:dask-internal"],
                   check=True, capture_output=True)
    roles = {f"tls_{role}_{kind}": path for role in ("client", "scheduler", "worker")
             for kind, path in (("cert", cert), ("key", key))}
    return Security(require_encryption=True, tls_ca_file=cert, **roles)


def build(we):
    ann.setup(dt=0.1)
    inp = ann.PoissonPopulation(40, rates=40.0, name="inp")
    pop = ann.Population(20, ann.IF_curr_exp(), name="pop")
    ann.Projection(inp, pop, "exc").connect_fixed_probability(0.3, weights=we)
    ann.Monitor(pop, "spike")


def spikes(idx, net):
    net.simulate(100.0)
    return net.get_monitors()[0].raster_plot()


def test_parallel_run_and_sweep_over_tls(tmp_path):
    security = make_security(tmp_path)
    params = dict(params={"we": [0.5, 1.0, 1.5]}, trials=2, duration=100.0, seed=4)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tls://", security=security,
                      dashboard_address=":0") as cluster, \
            Client(cluster, security=security, set_as_default=False) as client:
        assert client.scheduler.address.startswith("tls://")
        assert all(address.startswith("tls://") for address in client.nthreads())
        ds = ann.sweep(build, **params, client=client, progress=False)
        build(1.0)
        runs = ann.parallel_run(method=spikes, number=4, seed=2, client=client, progress=False)
    xr.testing.assert_identical(ds, ann.sweep(build, **params, sequential=True, progress=False))
    for (t1, n1), (t2, n2) in zip(runs, ann.parallel_run(method=spikes, number=4, seed=2, sequential=True,
                                                         progress=False), strict=True):
        np.testing.assert_array_equal(t1, t2)
        np.testing.assert_array_equal(n1, n2)
    assert sum(len(t) for t, _ in runs) > 0
