"""A batch on Dask: `aiml_magics.batch` per partition on a LocalCluster with worker processes.

Workers read the key from their own environment (they inherit os.environ when the cluster
starts); nothing shipped to them carries it.
"""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

import aiml_magics
from aiml_magics.api.secret import Secret

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

PROMPT = "Sentiment of: {review}"


def label(part: pd.DataFrame) -> pd.DataFrame:
    return aiml_magics.batch(PROMPT, part, concurrency=4, progress=False)


def test_map_partitions_on_a_local_cluster_with_worker_processes(aiml_env):
    frame = pd.DataFrame(
        {"review": [f"review number {n}" for n in range(12)]},
        index=pd.RangeIndex(100, 112, name="id"),
    )
    ddf = dd.from_pandas(frame, npartitions=3)
    meta = aiml_magics.batch(PROMPT, ddf._meta, progress=False)  # empty: sends nothing
    assert aiml_env.chat_requests == [] and list(meta.columns) == ["answer", "credits", "error"]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = set(client.run(lambda: __import__("os").getpid()).values())
        out = ddf.map_partitions(label, meta=meta).compute()
    assert len(pids) == 2 and __import__("os").getpid() not in pids
    assert out.index.equals(frame.index)
    assert out["error"].isna().all()
    for row_id, review in frame["review"].items():
        assert f"Sentiment of: {review}" in out.loc[row_id, "answer"]
    assert len(aiml_env.chat_requests) == 12
    assert all(r.authorized for r in aiml_env.chat_requests)  # the workers' own key


def test_what_is_shipped_to_workers_carries_no_key(aiml_env):
    import cloudpickle

    shipped = cloudpickle.dumps(lambda part: aiml_magics.batch(PROMPT, part, progress=False))
    assert aiml_env.api_key.encode() not in shipped
    aiml_magics.batch(PROMPT, [{"review": "x"}], progress=False)  # a session with a client
    assert aiml_env.api_key.encode() not in cloudpickle.dumps(label)
    with pytest.raises(TypeError):
        pickle.dumps(Secret(aiml_env.api_key, "test"))
