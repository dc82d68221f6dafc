"""Which code block `--to-cell` takes from an answer."""

from aiml_magics.magics.codeblocks import fenced_blocks, select_code

ANSWER = """Intro.

```bash
pip install scipy
```

- In a list:

  ```python
  import scipy
  ```

~~~py
print("tilde fence")
~~~

````
plain ```nested``` block
````
"""


def test_fences_are_found_as_a_renderer_sees_them():
    blocks = fenced_blocks(ANSWER)
    assert [b.language for b in blocks] == ["bash", "python", "py", ""]
    assert blocks[1].code == "import scipy\n"
    assert blocks[3].code == "plain ```nested``` block\n"


def test_default_takes_the_first_python_block():
    code, description = select_code(fenced_blocks(ANSWER), "python")
    assert code == "import scipy\n" and description == "code block 2 of 4"


def test_untagged_block_is_taken_when_no_python_block_exists():
    blocks = fenced_blocks("```bash\nls\n```\n\n```\nx = 1\n```\n")
    assert select_code(blocks, "python") == ("x = 1\n", "code block 2 of 2")
    assert select_code(fenced_blocks("```bash\nls\n```"), "python") is None


def test_numbered_and_all():
    blocks = fenced_blocks(ANSWER)
    assert select_code(blocks, "1") == ("pip install scipy\n", "code block 1 of 4")
    assert select_code(blocks, "9") is None
    code, description = select_code(blocks, "all")
    assert code == (
        'pip install scipy\n\nimport scipy\n\nprint("tilde fence")\n\nplain ```nested``` block\n'
    )
    assert description == "all 4 code blocks"


def test_no_blocks_means_nothing_to_insert():
    assert select_code(fenced_blocks("just prose, `inline` code"), "python") is None
