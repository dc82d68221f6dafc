"""`%%aiml --make image|speech|video` and the `%aiml` subcommands of the other kinds, through
a real InteractiveShell against the simulator over HTTP (a real assets folder and recording)."""

from __future__ import annotations

import _thread
import base64
import hashlib
import threading
import time

import pytest

from aiml_magics.api.kinds import list_models
from aiml_magics.api.result import USD_PER_CREDIT
from aiml_magics.api.unitprice import cost, image_amounts
from aiml_magics.simulator import VideoPlan

IMAGE_MODEL, VIDEO_MODEL = "flux-pro/v1.1", "google/veo-3-1-lite"
PNG = b"\x89PNG\r\n\x1a\n"


def session_of(ip):
    return next(m for m in ip.configurables if type(m).__name__ == "AimlMagics").session


def to(sim, path: str, method: str = "POST") -> list:
    return [r for r in sim.requests if r.path == path and r.method == method]


def said(out) -> str:
    return (
        out.stdout
        + out.captured.stderr
        + "".join(str(o.data.get("text/plain", "")) for o in out.outputs)
    )


@pytest.fixture
def recording(tmp_path, ip):
    path = tmp_path / "cells.aiml.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    return path


@pytest.fixture
def assets(recording):
    return recording.parent / "aiml-assets"  # beside the recording


# -- images --------------------------------------------------------------------------------


def test_an_image_cell_shows_saves_and_publishes_its_images(ip, run, assets, aiml_simulator):
    out = run("%%aiml --make image --size 1024x512 --n 2 -o cats\na red {animal}")
    assert out.error is None, said(out)
    made = ip.user_ns["_aiml"]
    assert ip.user_ns["cats"] is made and len(made.assets) == 2
    for asset in made.assets:
        assert asset.path.parent == assets
        assert asset.path.name == hashlib.sha256(asset.path.read_bytes()).hexdigest() + ".png"
    shown = [o for o in out.outputs if "image/png" in o.data]
    assert [base64.b64decode(o.data["image/png"]) for o in shown] == [a.data for a in made.assets]
    assert not any("text/html" in o.data for o in out.outputs)
    assert "PIL" in type(made.images[0]).__module__
    (request,) = to(aiml_simulator, "/v1/images/generations")
    assert request.body["size"] == "1024x512" and request.body["n"] == 2
    assert request.body["model"] == IMAGE_MODEL


def test_the_cell_body_is_interpolated_unless_raw(ip, run, recording, aiml_simulator):
    ip.user_ns["animal"] = "fox"
    assert run("%%aiml --make image\na red {animal}").error is None
    assert run("%%aiml --make image --raw\na red {animal}").error is None
    prompts = [r.body["prompt"] for r in to(aiml_simulator, "/v1/images/generations")]
    assert prompts == ["a red fox", "a red {animal}"]


@pytest.mark.parametrize("how", ["path", "pil", "asset"])
def test_a_generated_image_goes_back_to_a_vision_model(ip, run, recording, aiml_simulator, how):
    assert run("%%aiml --make image --size 256x256\na lighthouse").error is None
    made = ip.user_ns["_aiml"]
    source = {
        "path": made.paths[0],
        "pil": "pic",
        "asset": "first",
    }[how]
    ip.user_ns.update(pic=made.images[0], first=made.assets[0])
    out = run(f"%%aiml --image {source}\nWhat is in this picture?")
    assert out.error is None, said(out)
    (chat,) = aiml_simulator.chat_requests
    parts = chat.body["messages"][-1]["content"]
    (url,) = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    sent = base64.b64decode(url.split(",", 1)[1])
    assert url.startswith("data:image/png;base64,") and sent.startswith(PNG)
    if how != "pil":  # PIL re-encodes; a path or the asset is sent byte for byte
        assert sent == made.assets[0].data
    assert "image/png" in ip.user_ns["_aiml"].text  # the simulator saw the picture


def test_a_dry_run_prices_the_image_from_the_catalogue_and_sends_nothing(
    ip, run, recording, aiml_simulator
):
    out = run("%%aiml --make image --size 2048x1024 --n 3 --dry-run\na dear picture")
    assert out.error is None
    pricing = {m.id: m for m in list_models(session_of(ip).client(), "image")}[IMAGE_MODEL]
    credits = cost(pricing.pricing.units, image_amounts(3, "2048x1024")) / USD_PER_CREDIT
    text = said(out)
    assert f"Estimated cost: {credits:,.0f} credits" in text
    assert "POST /v1/images/generations" in text and '"n": 3' in text
    assert to(aiml_simulator, "/v1/images/generations") == []
    assert "_aiml" not in ip.user_ns


def test_a_recorded_image_cell_replays_without_the_simulator(ip, run, recording, aiml_simulator):
    run("%aiml replay auto")
    assert run("%%aiml --make image\na recorded cat").error is None
    first = ip.user_ns["_aiml"]
    sent = len(aiml_simulator.requests)
    ip.run_line_magic("unload_ext", "aiml_magics")
    ip.run_line_magic("load_ext", "aiml_magics")
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(recording)!r}")
    ip.run_line_magic("config", "AimlMagics.base_url = 'http://127.0.0.1:9/v1'")  # nothing there
    run("%aiml replay only")
    out = run("%%aiml --make image\na recorded cat")
    assert out.error is None, said(out)
    again = ip.user_ns["_aiml"]
    assert again.replayed and again.assets[0].data == first.assets[0].data
    shown = [o for o in out.outputs if "image/png" in o.data]
    assert base64.b64decode(shown[0].data["image/png"]) == first.assets[0].data
    assert len(aiml_simulator.requests) == sent
    out = run("%%aiml --make image\nnever recorded")
    assert out.error is not None and "not recorded" in said(out)


# -- speech --------------------------------------------------------------------------------


def test_a_speech_cell_shows_a_player_with_the_voice_asked_for(ip, run, recording, aiml_simulator):
    out = run("%%aiml --make speech --voice alloy\nHello from the cell")
    assert out.error is None, said(out)
    made = ip.user_ns["_aiml"]
    assert made.assets[0].mime == "audio/wav" and made.assets[0].path.exists()
    players = [o.data["text/html"] for o in out.outputs if "text/html" in o.data]
    assert len(players) == 1 and "<audio" in players[0]
    (request,) = to(aiml_simulator, "/v1/tts")
    assert request.body["voice"] == "alloy" and request.body["text"] == "Hello from the cell"


# -- video ---------------------------------------------------------------------------------


def test_a_video_cell_shows_its_progress_then_a_player(ip, run, recording, aiml_simulator):
    aiml_simulator.media.plan_video(VideoPlan(queued=0.2, generating=0.4))
    out = run("%%aiml --make video -p duration=4\nwaves at dusk")
    assert out.error is None, said(out)
    made = ip.user_ns["_aiml"]
    assert made.assets[0].mime == "video/mp4" and made.assets[0].path.exists()
    lines = [o.data.get("text/plain", "") for o in out.outputs]
    assert any(line.startswith("video · ") and line.endswith(" s") for line in lines)
    assert any("<video" in o.data.get("text/html", "") for o in out.outputs)
    (submitted,) = to(aiml_simulator, "/v2/video/generations")
    assert submitted.body["duration"] == 4 and submitted.body["model"] == VIDEO_MODEL


def _interrupt_once_a_job_waits(session) -> threading.Thread:
    """What the kernel's interrupt does, sent once the cell is waiting for its job."""

    def watch():
        deadline = time.monotonic() + 20
        while not session.media.jobs() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        _thread.interrupt_main()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def test_an_interrupt_during_a_video_wait_keeps_the_job_for_aiml_jobs(
    ip, run, recording, aiml_simulator
):
    aiml_simulator.media.plan_video(VideoPlan(queued=0.1, generating=1.5))
    watcher = _interrupt_once_a_job_waits(session_of(ip))
    out = run("%%aiml --make video\nstop waiting for me")
    watcher.join()
    (job,) = session_of(ip).media.jobs()
    text = said(out)
    assert out.error is not None and f"%aiml jobs {job.id}" in text
    assert "Traceback" not in text and job.asset is None
    listed = run("%aiml jobs")
    assert job.status in ("queued", "generating")  # not finished: the wait stopped, not the job
    assert job.id in said(listed) and job.status in said(listed)
    deadline = time.monotonic() + 20
    while True:  # the job goes on at the service; look again until it is done
        fetched = run(f"%aiml jobs {job.id}")
        assert fetched.error is None, said(fetched)
        if job.status == "completed" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert job.status == "completed" and job.asset.path.exists()
    assert any("<video" in o.data.get("text/html", "") for o in fetched.outputs)
    assert str(job.asset.path) in said(fetched)


def test_aiml_jobs_without_jobs_and_with_an_unknown_id(run, recording, aiml_simulator):
    assert "No jobs yet" in said(run("%aiml jobs"))
    out = run("%aiml jobs nope")
    assert out.error is not None and "no job 'nope'" in said(out)
    assert aiml_simulator.requests == []


# -- the catalogue, usage and TAB ----------------------------------------------------------


def test_models_by_kind_are_listed_with_their_prices(run, aiml_simulator):
    out = run("%aiml models --type video")
    assert out.error is None
    table = said(out)
    assert "1 video models" in table and VIDEO_MODEL in table and "per second" in table
    (listing,) = [r for r in aiml_simulator.requests if r.path == "/v1/models"]
    assert listing.query["type"] == "video"
    out = run("%aiml models --type pictures")
    assert out.error is not None and "--type embedding|image|tts|stt|video" in said(out)


def test_usage_shows_the_files_made_beside_the_tokens(run, recording, aiml_simulator):
    assert run("%%aiml\nhello").error is None
    assert run("%%aiml --make image --n 2\ntwo cats").error is None
    text = said(run("%aiml usage"))
    assert "Usage this session (spent)" in text and "Files made this session" in text
    (row,) = [line for line in text.splitlines() if line.startswith("image ")]
    assert IMAGE_MODEL in row and " 2 " in row


def test_tab_completes_the_models_of_the_kind_being_made(ip, aiml_simulator):
    line = "%%aiml --make video -m "
    _, offered = ip.complete("", line, len(line))
    assert offered == [VIDEO_MODEL]
    line = "%%aiml --make image -m "
    _, offered = ip.complete("", line, len(line))
    assert IMAGE_MODEL in offered and VIDEO_MODEL not in offered
    line = "%aiml models --type "
    assert "video" in ip.complete("", line, len(line))[1]
    line = "%%aiml --make image --"
    _, offered = ip.complete("", line, len(line))
    assert "--size" in offered and "--tools" not in offered and "--over" not in offered
