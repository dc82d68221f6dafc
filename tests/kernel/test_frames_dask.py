"""`ddf.aiml.filter/classify` on a Dask DataFrame: the pandas operator per partition, on a
LocalCluster with worker processes (each with its own session and key, from its environment)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

import aiml_magics  # noqa: F401  (registers df.aiml and ddf.aiml)

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

LABELS = ["delivery", "taste", "other"]


def test_filter_and_classify_run_per_partition_on_worker_processes(aiml_env):
    frame = pd.DataFrame(
        {
            "review": [
                f"review {n}: {['late delivery', 'nice taste', 'meh'][n % 3]}" for n in range(12)
            ]
        },
        index=pd.RangeIndex(100, 112, name="id"),
    )
    ddf = dd.from_pandas(frame, npartitions=3)
    lazy = ddf.aiml.classify("review", labels=LABELS)
    kept_lazy = ddf.aiml.filter("mentions 'delivery'")
    assert aiml_env.chat_requests == []  # building the graph (and its meta) sends nothing
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = set(client.run(os.getpid).values())
        labelled = lazy.compute()
        kept = kept_lazy.compute()
    assert len(pids) == 2 and os.getpid() not in pids
    assert labelled.index.equals(frame.index)
    labels = labelled["label"].astype(str).tolist()
    assert labels[0::3] == ["delivery"] * 4 and labels[1::3] == ["taste"] * 4
    assert set(labels[2::3]) <= set(LABELS)  # no label in the text: the simulator guesses
    assert kept.index.tolist() == [100, 103, 106, 109]
    assert kept["error"].isna().all()
    assert len(aiml_env.chat_requests) == 24
    assert all(r.authorized for r in aiml_env.chat_requests)  # the workers' own key
