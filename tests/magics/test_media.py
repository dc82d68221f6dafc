"""Images, speech, transcription and video: a real shell, the simulator over HTTP, a real
assets folder and recording file."""

from __future__ import annotations

import _thread
import base64
import hashlib
import json
import threading
import time

import pytest

import aiml_magics
from aiml_magics.api import errors
from aiml_magics.api.kinds import list_models
from aiml_magics.api.transfer import check_download_url
from aiml_magics.api.unitprice import MediaPricing, cost, image_amounts
from aiml_magics.chat.assets import AssetStore
from aiml_magics.chat.jobs import JobFailedError, StillRunningError
from aiml_magics.simulator import Reply, VideoPlan

IMAGE_MODEL, VIDEO_MODEL = "flux-pro/v1.1", "google/veo-3-1-lite"
PNG = b"\x89PNG\r\n\x1a\n"


def session_of(ip):
    return next(m for m in ip.configurables if type(m).__name__ == "AimlMagics").session


def to(sim, path: str, method: str = "POST") -> list:
    return [r for r in sim.requests if r.path == path and r.method == method]


def files_fetched(sim) -> list:
    return [r for r in sim.requests if r.path.startswith("/files/")]


@pytest.fixture
def assets(tmp_path):
    return tmp_path / "aiml-assets"


@pytest.fixture
def recording(tmp_path, ip):
    path = tmp_path / "media.aiml.jsonl"
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(path)!r}")
    return path


# -- images ------------------------------------------------------------------------------------


def test_images_are_saved_by_digest_shown_as_png_and_priced(ip, run, assets, aiml_simulator):
    ip.user_ns["folder"] = str(assets)
    out = run(
        "import aiml_magics\n"
        "made = aiml_magics.generate_image('a red cat', size='1024x512', n=2, assets=folder)"
    )
    assert out.error is None
    made = ip.user_ns["made"]
    assert len(made.assets) == 2 and all(a.mime == "image/png" for a in made.assets)
    for asset in made.assets:
        data = asset.path.read_bytes()
        assert data.startswith(PNG) and asset.path.parent == assets
        assert asset.path.name == hashlib.sha256(data).hexdigest() + ".png"
    shown = [o for o in out.outputs if "image/png" in o.data]
    assert len(shown) == 2
    assert base64.b64decode(shown[0].data["image/png"]) == made.assets[0].data
    assert not any("text/html" in o.data for o in out.outputs)  # never HTML
    assert shown[0].metadata["aiml"]["model"] == IMAGE_MODEL
    assert "PIL" in type(made.images[0]).__module__ and made.images[0].size == (16, 8)
    (request,) = to(aiml_simulator, "/v1/images/generations")
    assert request.body == {"model": IMAGE_MODEL, "prompt": "a red cat", "size": "1024x512", "n": 2}
    assert len(files_fetched(aiml_simulator)) == 2
    assert not any(
        r.authorized or "authorization" in r.headers for r in files_fetched(aiml_simulator)
    )
    megapixels = 2 * 1024 * 512 / 1e6
    assert made.credits_used == pytest.approx(megapixels * 0.04 * 2_000_000)
    assert made.estimate.credits == pytest.approx(made.credits_used)
    assert session_of(ip).totals[IMAGE_MODEL].credits == pytest.approx(made.credits_used)
    (row,) = session_of(ip).media.usage_rows()  # what `%aiml usage` shows beside tokens
    assert row[:3] == ["image", IMAGE_MODEL, 2] and row[4] == f"{made.credits_used:,.0f}"


def test_b64_json_images_need_no_download(ip, assets, aiml_simulator):
    made = aiml_magics.generate_image(
        "a blue dog",
        model="openai/dall-e-3",
        params={"response_format": "b64_json"},
        assets=assets,
        show=False,
    )
    assert made.assets[0].data.startswith(PNG) and files_fetched(aiml_simulator) == []
    assert made.credits_used == pytest.approx(0.04 * 2_000_000)  # the 1024x1024 variant


def test_the_same_bytes_are_stored_once_and_a_changed_file_is_not_trusted(tmp_path):
    store = AssetStore(tmp_path / "assets")
    first = store.put(PNG + b"same", "image/png")
    second = store.put(PNG + b"same", "image/png")
    assert first.path == second.path and len(list((tmp_path / "assets").iterdir())) == 1
    assert store.find(first.sha256, ".png", "image/png").data == PNG + b"same"
    first.path.write_bytes(PNG + b"tampered")
    assert store.find(first.sha256, ".png", "image/png") is None


@pytest.mark.parametrize(
    "url", ["http://example.com/a.png", "ftp://127.0.0.1/a.png", "file:///etc/passwd"]
)
def test_a_result_url_is_fetched_only_over_https_or_from_this_machine(url):
    with pytest.raises(errors.BadRequestError, match="not fetched"):
        check_download_url(url)
    check_download_url("https://cdn.example.com/a.png")
    check_download_url("http://127.0.0.1:8000/files/a.png")


def test_a_spent_budget_makes_no_image(ip, assets, aiml_simulator):
    ip.run_line_magic("config", "AimlMagics.budget_credits = 1000")  # an image costs ~84,000
    with pytest.raises(errors.AimlError, match="may cost 83,886 credits"):
        aiml_magics.generate_image("too dear", size="1024x1024", assets=assets, show=False)
    assert to(aiml_simulator, "/v1/images/generations") == []


def test_a_bad_size_is_one_clear_error(ip, assets, aiml_simulator):
    with pytest.raises(errors.UsageError, match="WIDTHxHEIGHT"):
        aiml_magics.generate_image("x", size="big", assets=assets, show=False)
    assert aiml_simulator.requests == []


# -- speech and transcription ------------------------------------------------------------------


def test_speech_is_saved_and_shown_as_an_audio_player(ip, run, assets, aiml_simulator):
    ip.user_ns["folder"] = str(assets)
    out = run(
        "import aiml_magics\nsaid = aiml_magics.speak('Hello there', voice='alloy', assets=folder)"
    )
    said = ip.user_ns["said"]
    assert out.error is None and said.assets[0].mime == "audio/wav"
    assert said.assets[0].data[:4] == b"RIFF" and said.assets[0].path.suffix == ".wav"
    players = [o.data["text/html"] for o in out.outputs if "text/html" in o.data]
    assert len(players) == 1 and "<audio" in players[0]
    (request,) = to(aiml_simulator, "/v1/tts")
    assert request.body == {
        "model": "openai/gpt-4o-mini-tts",
        "text": "Hello there",
        "voice": "alloy",
    }
    assert said.credits_used == pytest.approx(len("Hello there") * 12 / 1e6 * 2_000_000)


def test_raw_audio_bytes_are_taken_as_they_come(ip, assets, aiml_simulator):
    said = aiml_magics.speak("raw", params={"response_format": "wav"}, assets=assets, show=False)
    assert said.assets[0].data[:4] == b"RIFF" and files_fetched(aiml_simulator) == []
    assert said.credits_used is None  # the service sends no cost with raw bytes


def test_transcribe_uploads_a_file_and_polls_for_the_text(ip, assets, aiml_simulator):
    said = aiml_magics.speak("the quick brown fox", assets=assets, show=False)
    text = aiml_magics.transcribe(said.paths[0], language="en")
    assert text == "the quick brown fox"
    (created,) = to(aiml_simulator, "/v1/stt/create")
    assert created.body is None and "content-type" in created.headers  # multipart, not JSON
    polls = [
        r for r in aiml_simulator.requests if r.path.startswith("/v1/stt/") and r.method == "GET"
    ]
    assert polls and all(r.authorized for r in polls)
    (job,) = [j for j in aiml_magics.jobs() if j.kind == "stt"]
    assert job.status == "completed" and job.text == text


def test_transcribe_a_url_lets_the_service_fetch_it(ip, assets, aiml_simulator):
    said = aiml_magics.speak("from a link", assets=assets, show=False)
    url = files_fetched(aiml_simulator)[0]
    link = f"{aiml_simulator.root_url}{url.path}"
    assert aiml_magics.transcribe(link) == "from a link"
    assert to(aiml_simulator, "/v1/stt/create")[0].body["url"] == link
    assert said.assets


def test_a_missing_audio_file_is_one_clear_error(ip, tmp_path, aiml_simulator):
    with pytest.raises(errors.UsageError, match="cannot read the audio file"):
        aiml_magics.transcribe(tmp_path / "nope.wav")
    assert aiml_simulator.requests == []


# -- video -------------------------------------------------------------------------------------


def test_a_video_goes_through_its_states_then_is_saved_and_played(ip, run, assets, aiml_simulator):
    aiml_simulator.media.plan_video(VideoPlan(queued=0.3, generating=0.5))
    heard = []
    ip.user_ns.update(folder=str(assets), heard=heard)
    out = run(
        "import aiml_magics\n"
        "video = aiml_magics.generate_video('waves at dusk', duration=4, resolution='1080p',\n"
        "    assets=folder, on_progress=lambda elapsed, status: heard.append((elapsed, status)))"
    )
    assert out.error is None
    statuses = [status for _, status in heard]
    assert statuses[0] == "queued" and "generating" in statuses and statuses[-1] == "completed"
    assert [e for e, _ in heard] == sorted(e for e, _ in heard)
    video = ip.user_ns["video"]
    assert video.assets[0].mime == "video/mp4" and video.assets[0].path.suffix == ".mp4"
    assert any("<video" in o.data.get("text/html", "") for o in out.outputs)
    (submitted,) = to(aiml_simulator, "/v2/video/generations")
    assert submitted.body == {
        "model": VIDEO_MODEL,
        "prompt": "waves at dusk",
        "resolution": "1080p",
        "duration": 4,
    }
    polls = to(aiml_simulator, "/v2/video/generations", "GET")
    assert all(r.query == {"generation_id": video.job_id} for r in polls)
    # 1080p costs $0.52 a second in the simulator's catalogue
    assert video.credits_used == pytest.approx(4 * 0.52 * 2_000_000) == video.estimate.credits


def test_a_failed_video_is_one_clear_error_and_its_job_says_why(ip, assets, aiml_simulator):
    aiml_simulator.media.plan_video(VideoPlan(outcome="error", message="Unsafe prompt"))
    with pytest.raises(JobFailedError, match="Unsafe prompt"):
        aiml_magics.generate_video("no", assets=assets, show=False)
    (job,) = aiml_magics.jobs()
    assert job.status == "error" and "Unsafe prompt" in job.error
    assert VIDEO_MODEL not in session_of(ip).totals  # a failed job costs nothing


def test_a_stalled_video_times_out_and_its_job_is_kept(ip, assets, aiml_simulator):
    aiml_simulator.media.plan_video(VideoPlan(outcome="stall"))
    with pytest.raises(StillRunningError, match="still generating"):
        aiml_magics.generate_video("forever", assets=assets, show=False, timeout=0.8)
    (job,) = aiml_magics.jobs()
    assert aiml_magics.jobs(job.id).status == "generating" and job.asset is None


def test_an_interrupt_from_the_progress_callback_keeps_the_job_to_fetch_later(
    ip, assets, aiml_simulator
):
    aiml_simulator.media.plan_video(VideoPlan(queued=0.1, generating=0.6))

    def impatient(elapsed, status):
        if status == "generating":
            raise KeyboardInterrupt

    with pytest.raises(errors.StoppedError, match="goes on at the service") as caught:
        aiml_magics.generate_video("later", assets=assets, show=False, on_progress=impatient)
    (job,) = aiml_magics.jobs()
    assert job.id in str(caught.value) and job.status == "generating" and job.asset is None
    time.sleep(0.8)
    fetched = aiml_magics.jobs(job.id)
    assert fetched.status == "completed" and fetched.asset.data.startswith(b"\x00\x00\x00")
    assert fetched.asset.path.exists() and session_of(ip).totals[VIDEO_MODEL].credits > 0


def test_a_kernel_interrupt_during_the_wait_keeps_the_job(ip, assets, aiml_simulator):
    aiml_simulator.media.plan_video(VideoPlan(outcome="stall"))
    timer = threading.Timer(0.6, _thread.interrupt_main)  # what the kernel's interrupt does
    timer.start()
    try:
        with pytest.raises(errors.StoppedError):
            aiml_magics.generate_video("stop me", assets=assets, show=False)
    finally:
        timer.cancel()
    (job,) = aiml_magics.jobs()
    assert job.status == "generating" and aiml_simulator.media.jobs[job.id] == "generating"


# -- faults on every endpoint ------------------------------------------------------------------


def _image(assets):
    return aiml_magics.generate_image("fault", assets=assets, show=False)


def _speech(assets):
    return aiml_magics.speak("fault", assets=assets, show=False)


def _transcription(assets):
    # Raw audio: no download, so the first GET is a poll of /v1/stt/{id}.
    said = aiml_magics.speak(
        "heard through faults", params={"response_format": "wav"}, assets=assets, show=False
    )
    return aiml_magics.transcribe(said.paths[0])


def _video(assets):
    return aiml_magics.generate_video("fault", assets=assets, show=False)


def _embedding(assets):
    return aiml_magics.embed(["fault"])


@pytest.mark.parametrize(
    ("make", "path", "method"),
    [
        (_image, "/v1/images/generations", "POST"),
        (_speech, "/v1/tts", "POST"),
        (_transcription, "/v1/stt/create", "POST"),
        (_transcription, None, "GET"),  # the polls of /v1/stt/{id}
        (_video, "/v2/video/generations", "POST"),
        (_video, "/v2/video/generations", "GET"),
        (_embedding, "/v1/embeddings", "POST"),
    ],
)
@pytest.mark.parametrize("status", [429, 503])
def test_every_endpoint_waits_out_retry_after_then_answers(
    ip, assets, aiml_simulator, make, path, method, status, capsys
):
    aiml_simulator.media.script(
        Reply.error(status, headers={"retry-after-ms": "300"}), path=path, method=method
    )
    started = time.monotonic()
    assert make(assets) is not None
    assert time.monotonic() - started >= 0.29
    refused = [
        r
        for r in aiml_simulator.requests
        if r.method == method and (r.path == path or (path is None and "/stt/" in r.path))
    ]
    assert len(refused) >= 2  # the refused request and its retry
    if make is not _embedding:  # the functions tell why nothing happens meanwhile
        assert f"before retry 1 of 2 ({status}" in capsys.readouterr().err


def test_a_server_error_after_the_retries_is_one_clear_error(ip, run, assets, aiml_simulator):
    aiml_simulator.media.script(Reply.error(500, times=3, headers={"Retry-After": "0"}))
    ip.user_ns["folder"] = str(assets)
    out = run("import aiml_magics\naiml_magics.generate_image('x', assets=folder)")
    assert isinstance(out.error, errors.ServerError)
    assert len(to(aiml_simulator, "/v1/images/generations")) == 3


def test_a_rate_limit_on_the_service_is_honoured(ip, assets, aiml_simulator):
    aiml_simulator.rate_limit = (1, 0.5)
    aiml_magics.generate_image("one", assets=assets, show=False)
    aiml_magics.generate_image("two", assets=assets, show=False)
    assert aiml_simulator.throttled
    for refusal in aiml_simulator.throttled:
        later = [r for r in aiml_simulator.requests if r.received > refusal.received]
        assert later and later[0].received >= refusal.until - 0.01


# -- replay ------------------------------------------------------------------------------------


def test_generations_replay_from_the_assets_folder_without_the_service(
    ip, run, recording, assets, aiml_simulator
):
    run("%aiml replay auto")
    image = aiml_magics.generate_image("recorded cat", assets=assets, show=False)
    video = aiml_magics.generate_video("recorded waves", assets=assets, show=False)
    said = aiml_magics.speak("recorded words", assets=assets, show=False)
    text = aiml_magics.transcribe(said.paths[0])
    lines = [json.loads(x) for x in recording.read_text().splitlines()]
    assert len(lines) == 4
    body = recording.read_text()
    assert base64.b64encode(image.assets[0].data).decode()[:40] not in body
    assert image.assets[0].sha256 in body and video.assets[0].sha256 in body
    assert aiml_simulator.api_key not in body
    sent = len(aiml_simulator.requests)

    ip.run_line_magic("unload_ext", "aiml_magics")
    ip.run_line_magic("load_ext", "aiml_magics")
    ip.run_line_magic("config", f"AimlMagics.replay_path = {str(recording)!r}")
    ip.run_line_magic("config", "AimlMagics.base_url = 'http://127.0.0.1:9/v1'")  # nothing there
    run("%aiml replay only")
    again = aiml_magics.generate_image("recorded cat", assets=assets, show=False)
    assert again.replayed and again.assets[0].data == image.assets[0].data
    assert aiml_magics.generate_video("recorded waves", assets=assets, show=False).replayed
    assert aiml_magics.transcribe(said.paths[0]) == text
    assert len(aiml_simulator.requests) == sent
    assert IMAGE_MODEL in session_of(ip).saved and IMAGE_MODEL not in session_of(ip).totals
    rows = {(r[0], r[1]): r for r in session_of(ip).media.usage_rows()}
    assert rows["image", IMAGE_MODEL][2:] == [1, f"{image.assets[0].size:,}", "0", 1]

    video.assets[0].path.unlink()
    with pytest.raises(errors.AimlError, match="its files are not in"):
        aiml_magics.generate_video("recorded waves", assets=assets, show=False)
    with pytest.raises(errors.AimlError, match="not recorded"):
        aiml_magics.generate_image("never made", assets=assets, show=False)


# -- the catalogue and prices ------------------------------------------------------------------


def test_models_by_kind_come_with_their_prices(ip, aiml_simulator):
    client = session_of(ip).client()
    videos = list_models(client, "video")
    assert [m.id for m in videos] == [VIDEO_MODEL]
    pricing = videos[0].pricing
    assert pricing.kind == "variants" and pricing.options("resolution") == ["1080p", "720p"]
    assert cost(pricing.units, {"second": 5}, {"resolution": "720p"}) == pytest.approx(5 * 0.39)
    assert cost(pricing.units, {"second": 5}, {"resolution": "4k"}) is None
    images = {m.id: m for m in list_models(client, "image")}
    assert cost(images[IMAGE_MODEL].pricing.units, image_amounts(1, "2048x1024")) == pytest.approx(
        0.04 * 2.097152
    )
    assert {m.id for m in list_models(client, "embedding")} >= {"openai/text-embedding-3-small"}
    assert MediaPricing.from_api({"kind": "variable", "currency": "USD"}).kind == "variable"
    assert MediaPricing.from_api({"kind": "fixed", "currency": "EUR", "units": []}) is None


def test_the_assets_folder_sits_beside_the_notebook(ip, tmp_path, monkeypatch, aiml_simulator):
    notebook = tmp_path / "project" / "analysis.ipynb"
    notebook.parent.mkdir()
    monkeypatch.setenv("AIML_NOTEBOOK", str(notebook))
    made = aiml_magics.generate_image("beside", show=False)
    assert made.assets[0].path.parent == notebook.parent / "aiml-assets"


def test_an_image_in_another_format_is_shown_as_png(tmp_path):
    import io

    from PIL import Image

    from aiml_magics.display.media import image_bundle

    gif = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(gif, format="GIF")
    asset = AssetStore(tmp_path).put(gif.getvalue(), "image/gif", "image")
    bundle, _ = image_bundle(asset)
    assert set(bundle) == {"image/png", "text/plain"}
    shown = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert shown.size == (4, 3) and shown.format == "PNG"
