"""`--image`: files, URLs, figures, PIL images and bytes become `image_url` parts."""

from __future__ import annotations

import base64
import io

import pytest

from aiml_magics.chat import images
from aiml_magics.chat.conversation import IMAGE_TOKENS, Chat, estimate_tokens
from aiml_magics.simulator import Reply

PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
JPEG_HEAD = b"\xff\xd8\xff\xe0" + b"\x00" * 60
GIF_HEAD = b"GIF89a" + b"\x00" * 30
WEBP_HEAD = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20


def image_parts(request) -> list[dict]:
    users = [m for m in request.body["messages"] if m["role"] == "user"]
    content = users[-1]["content"]
    assert isinstance(content, list)
    return [p["image_url"] for p in content if p["type"] == "image_url"]


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(PNG_1x1, "image/png"), (JPEG_HEAD, "image/jpeg"), (GIF_HEAD, "image/gif"),
     (WEBP_HEAD, "image/webp"), (b"%PDF-1.7", None), (b"", None)],
)  # fmt: skip
def test_sniff(data, media_type):
    assert images.sniff(data) == media_type


def test_file_image_is_sent_as_a_data_uri_with_a_thumbnail(run, aiml_simulator, tmp_path, ip):
    path = tmp_path / "chart.png"
    path.write_bytes(PNG_1x1)
    ip.user_ns["chart_path"] = str(path)
    out = run(f"%%aiml --image {path} --image-detail low\nWhat does this chart show?")
    assert out.error is None
    [request] = aiml_simulator.chat_requests
    content = request.body["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "What does this chart show?"}
    [part] = image_parts(request)
    assert part["detail"] == "low"
    assert part["url"] == "data:image/png;base64," + base64.b64encode(PNG_1x1).decode()
    answer = ip.user_ns["_aiml"].text
    assert f"image/png, {len(PNG_1x1)} bytes, detail low" in answer
    thumbnail = out.outputs[0].data
    assert '<img src="data:image/png;base64,' in thumbnail["text/html"]
    assert "chart.png (PNG, 70 bytes)" in thumbnail["text/plain"]
    assert thumbnail["text/markdown"].startswith("![") and "chart" in thumbnail["text/markdown"]


def test_url_is_sent_as_a_url_and_never_loaded(run, aiml_simulator):
    url = "https://example.com/plots/trend.png"
    out = run(f"%%aiml --image {url}\nDescribe it.")
    assert out.error is None
    [part] = image_parts(aiml_simulator.chat_requests[0])
    assert part == {"url": url}
    shown = out.outputs[0].data
    assert "<img" not in shown["text/html"] and f'href="{url}"' in shown["text/html"]
    assert "](" not in shown["text/markdown"]  # no Markdown image pointing at the URL
    assert "URL on example.com, detail unset" in out.final_markdown


def test_matplotlib_figure(run, aiml_simulator, ip):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(2, 2))
    axes.plot([1, 2, 3], [3, 1, 2])
    ip.user_ns["fig"] = figure
    try:
        out = run("%%aiml --image fig\nWhat trend?")
    finally:
        plt.close(figure)
    assert out.error is None
    [part] = image_parts(aiml_simulator.chat_requests[0])
    data = base64.b64decode(part["url"].split(",", 1)[1])
    assert part["url"].startswith("data:image/png;base64,") and data.startswith(b"\x89PNG")
    assert "fig (PNG" in out.outputs[0].data["text/plain"]


def test_pil_image_and_ipython_image(run, aiml_simulator, ip):
    pil = pytest.importorskip("PIL.Image")
    from IPython.display import Image as DisplayImage

    ip.user_ns["photo"] = pil.new("RGB", (400, 300), "red")
    ip.user_ns["shown"] = DisplayImage(data=PNG_1x1)
    out = run("%%aiml --image photo --image shown\nTwo images.")
    assert out.error is None
    parts = image_parts(aiml_simulator.chat_requests[0])
    assert [p["url"][:22] for p in parts] == ["data:image/png;base64,"] * 2
    assert "I see 2 images." in out.final_markdown
    # The thumbnail is scaled down, not the 400x300 original.
    thumb = out.outputs[0].data["text/html"].split('src="', 1)[1].split('"', 1)[0]
    with pil.open(io.BytesIO(base64.b64decode(thumb.split(",", 1)[1]))) as small:
        assert max(small.size) <= images.THUMBNAIL_PIXELS


def test_bytes_variable_and_repeated_option(run, aiml_simulator, ip):
    ip.user_ns["raw_png"] = PNG_1x1
    ip.user_ns["raw_jpeg"] = JPEG_HEAD
    out = run("%%aiml --image raw_png --image raw_jpeg --image-detail high\nCompare.")
    assert out.error is None
    parts = image_parts(aiml_simulator.chat_requests[0])
    assert [p["url"].split(";")[0] for p in parts] == ["data:image/png", "data:image/jpeg"]
    assert all(p["detail"] == "high" for p in parts)
    assert f"image/jpeg, {len(JPEG_HEAD)} bytes, detail high" in out.final_markdown


@pytest.mark.parametrize(
    ("setup", "source", "message"),
    [
        (None, "missing.png", "file not found"),
        (None, "nothing_here", "no variable or file"),
        ("text", "notes.txt", "not a PNG, JPEG, GIF or WebP"),
        ("big", "big.png", "over 20.0 MB are refused"),
        ("number", "count", "holds a int, not an image"),
        ("junk_bytes", "blob", "not a PNG, JPEG, GIF or WebP"),
        (None, "http://example.com/a.png", "only https:// URLs"),
        ("folder", "folder", "not a file"),
    ],
)
def test_bad_images_send_nothing(
    run, aiml_simulator, ip, tmp_path, monkeypatch, setup, source, message
):
    monkeypatch.chdir(tmp_path)
    if setup == "text":
        (tmp_path / "notes.txt").write_text("hello")
    elif setup == "big":
        with open(tmp_path / "big.png", "wb") as handle:
            handle.write(PNG_1x1)
            handle.truncate(images.MAX_BYTES + 1)
    elif setup == "number":
        ip.user_ns["count"] = 3
    elif setup == "junk_bytes":
        ip.user_ns["blob"] = b"not an image"
    elif setup == "folder":
        (tmp_path / "folder").mkdir()
    out = run(f"%%aiml --image {source}\nLook.")
    assert out.error is not None and message in str(out.error), str(out.error)
    assert aiml_simulator.chat_requests == []
    assert out.outputs == []  # no thumbnail, no answer


def test_image_detail_needs_an_image(run, aiml_simulator):
    out = run("%%aiml --image-detail low\nhi")
    assert out.error is not None and "--image-detail needs --image" in str(out.error)
    assert aiml_simulator.chat_requests == []


def test_images_are_context_in_later_cells_and_counted_at_a_fixed_estimate(
    run, aiml_simulator, ip, magics
):
    ip.user_ns["raw_png"] = PNG_1x1
    assert run("%%aiml --image raw_png\nFirst.", cell_id="a").error is None
    assert run("%%aiml\nSecond.", cell_id="b").error is None
    first_user = aiml_simulator.chat_requests[1].body["messages"][0]
    assert first_user["role"] == "user" and first_user["content"][1]["type"] == "image_url"
    turn = magics.session.chats.get("default").turns[0]
    assert estimate_tokens(turn.user) == estimate_tokens("First.") + IMAGE_TOKENS


def test_budget_drops_image_turns_by_the_estimate():
    chat = Chat("c")
    from aiml_magics.chat.conversation import Turn

    picture = images.from_bytes("p", PNG_1x1)
    chat.record(Turn(key="k1", user=images.user_content("look", [picture], None), answer="ok"))
    assert chat.context("k2", "next", budget_tokens=IMAGE_TOKENS + 100).dropped == 0
    assert chat.context("k2", "next", budget_tokens=IMAGE_TOKENS - 100).dropped == 1


def test_no_thumbnail_without_pil_for_large_images(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name.startswith("PIL"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    assert images.make_thumbnail(PNG_1x1, "image/png").startswith("data:image/png;base64,")
    big = PNG_1x1 + b"\x00" * images.RAW_THUMBNAIL_BYTES
    assert images.make_thumbnail(big, "image/png") is None


def test_tools_and_images_in_one_cell(run, aiml_simulator, ip):
    """The issue's 'done': two functions and a figure, one cell, a tool round and an answer."""
    ip.user_ns["raw_png"] = PNG_1x1
    assert (
        run("def a(x: int) -> int:\n    return x + 1\ndef b() -> str:\n    return 'b'").error
        is None
    )
    aiml_simulator.script(
        Reply(tool_calls=[{"name": "a", "arguments": '{"x": 1}'}, {"name": "b"}]), Reply()
    )
    out = run("%%aiml --tools a,b --image raw_png\nUse both and look.")
    assert out.error is None
    first, second = aiml_simulator.chat_requests
    assert image_parts(first) and image_parts(second)  # the image stays in the request
    assert "returned: 2" in ip.user_ns["_aiml"].text and 'returned: "b"' in ip.user_ns["_aiml"].text


def test_history_helpers_show_thumbnails_and_the_tool_exchange():
    from aiml_magics.display.compose import tool_exchange_markdown, user_markdown, user_plain
    from aiml_magics.display.sanitize import is_safe_markdown

    picture = images.from_bytes("p", PNG_1x1)
    user = images.user_content(
        "look <b>here</b>", [picture, images.load("https://x.org/a.png", {})], None
    )
    shown = user_markdown(user)
    assert f"![image 1]({picture.url})" in shown and "<b>" not in shown
    assert "x\\.org/a\\.png" in shown and "](https://" not in shown
    assert user_plain(user) == "look <b>here</b> [image] [image: https://x.org/a.png]"
    exchange = [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "f", "arguments": '{"a": "<img>"}'}}
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": '"<script>"'},
    ]  # fmt: skip
    text = tool_exchange_markdown(exchange)
    assert "f" in text and "<img>" not in text and "<script>" not in text
    assert is_safe_markdown(text)
