"""What the simulator answers for each tutorial notebook, in the order the notebook asks.

One function per notebook returns its replies; every chat request that reaches the simulator
(each `%%aiml` cell, each retry, each `AimlClient.chat` call) takes the next one. Requests the
simulator rejects before answering (an unknown model, an invalid body) take none. The harness
adds a sentinel after the script and fails when the counts do not match, so an edited notebook
cannot silently drift out of step with its script.

The answers are written to read like real ones: a tutorial's stored outputs are what a reader
learns from. Non-reasoning models get `reasoning=""` (the simulator's default answer reasons).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aiml_magics.simulator import Fault, Reply

# -- 01-quickstart -----------------------------------------------------------------------------

P_VALUE = """\
A **p-value** is the probability of getting data at least as extreme as yours *if the null \
hypothesis were true*. A small p-value (conventionally below 0.05) means your data would be \
surprising under the null, which counts as evidence against it; it is **not** the probability \
that the null hypothesis is true. It also says nothing about how large or how important an \
effect is, so report an effect size next to it.

```python
import numpy as np
from scipy import stats

rng = np.random.default_rng(0)
sample = rng.normal(loc=0.3, scale=1.0, size=50)

# H0: the population mean is 0
result = stats.ttest_1samp(sample, popmean=0)
print(f"t = {result.statistic:.2f}, p = {result.pvalue:.4f}")
```"""

P_VALUE_REASONING = """\
The user wants a definition in three sentences and a short example. Key points: probability of \
data this extreme assuming H0; not the probability that H0 is true; no information about effect \
size. The shortest runnable example is a one-sample t-test with scipy on simulated data."""

TWO_SAMPLE = """\
With two independent groups, use a **two-sample t-test**. Welch's version (`equal_var=False`) \
does not assume both groups have the same variance, so it is the safer default.

```python
import numpy as np
from scipy import stats

rng = np.random.default_rng(42)
control = rng.normal(loc=10.0, scale=2.0, size=40)
treatment = rng.normal(loc=11.2, scale=2.5, size=40)

result = stats.ttest_ind(treatment, control, equal_var=False)
print(f"t = {result.statistic:.2f}, p = {result.pvalue:.4f}")
print(f"difference in means: {treatment.mean() - control.mean():.2f}")
```

As before, a small p-value says the difference is unlikely to be chance alone; the difference in \
means tells you whether it matters."""

TWO_SAMPLE_REASONING = """\
Same topic as before, now comparing two groups. Independent samples, so ttest_ind; recommend \
Welch (equal_var=False). Simulate control and treatment with different means, print t, p and \
the difference in means to connect back to effect size."""

P_004 = """\
Not strong: p = 0.04 is just below the usual 0.05 threshold, so it is *some* evidence against \
the null, but a result this close to the line is easily produced by chance, small effects or \
analysis choices, and it should be replicated before anyone relies on it."""

P_004_REASONING = """\
One sentence. 0.04 is below 0.05 but barely; by common guidelines (e.g. Bayes factor bounds) \
that is weak-to-moderate evidence. Mention replication and that the threshold is a convention."""


CONFIDENCE_INTERVAL = """\
Use the t distribution: with a small sample the standard error is itself estimated, so the \
interval is a little wider than with the normal distribution.

```python
import numpy as np
from scipy import stats


def mean_ci(sample, confidence=0.95):
    \"\"\"Mean of a sample and its confidence interval, from the t distribution.\"\"\"
    sample = np.asarray(sample, dtype=float)
    mean = sample.mean()
    sem = stats.sem(sample)
    low, high = stats.t.interval(confidence, len(sample) - 1, loc=mean, scale=sem)
    return mean, (low, high)
```

`mean_ci([2.1, 2.5, 1.9, 2.8])` returns the mean and the interval as a tuple."""

FIX_INDEX = """\
`heights` holds four values, at positions 0 to 3: Python counts from zero, so `heights[4]` \
asks for a fifth value that is not there. Use `heights[3]` for the fourth person, or \
`heights[-1]` for the last one whatever the length:

```python
heights = [1.62, 1.75, 1.80, 1.68]
print(f"The last person is {heights[-1]} m tall")
```"""


def quickstart() -> list[Reply]:
    return [
        Reply(content=P_VALUE, reasoning=P_VALUE_REASONING),  # What is a p-value?
        Reply(content=TWO_SAMPLE, reasoning=TWO_SAMPLE_REASONING),  # two-sample t-test
        Reply(content=P_004, reasoning=P_004_REASONING),  # --reasoning show
        Reply(  # --to-cell
            content=CONFIDENCE_INTERVAL,
            reasoning="A small function: mean, standard error, t-based interval with scipy.",
        ),
        Reply(  # %aiml fix
            content=FIX_INDEX,
            reasoning="IndexError: index 4 of a four-item list. Explain zero-based indexing.",
        ),
    ]


# -- 02-parameters-and-widgets ---------------------------------------------------------------

COLUMN_NAME = """\
`days_between_last_orders` is descriptive and carries the unit. If you prefer something \
shorter, `reorder_gap_days` works too; keep the `_days` suffix either way, so nobody has to \
guess the unit."""

PROJECT_NAMES = """\
- Churnado
- Stayin' Alive
- The Leaving Room
- Hold My Customer
- Exit Wounds Analytics"""

MISSING_VALUES = """\
- **Drop** rows or columns with gaps when little is missing: `df.dropna()`, `df.dropna(axis=1)`.
- **Fill** with a constant or a statistic: `df.fillna(0)`, `df["age"].fillna(df["age"].median())`.
- **Carry values** forward or back in ordered data: `df.ffill()`, `df.bfill()`.
- **Interpolate** numeric series: `df.interpolate()`, or `method="time"` on a datetime index."""

GROUPBY_SUM = """\
A pandas **Series**: its index holds each distinct region (sorted), and each value is the sum of \
`revenue` over the rows of that region."""

ORDER_JSON = '{"product": "USB-C cable (2 m)", "quantity": 3, "unit_price": 7.99}'

MEDIAN = """\
Report the median when the data are skewed or have outliers (incomes, house prices, response \
times), because a few extreme values pull the mean far more than they move the median."""

DOCSTRING = '`"""Return a copy of the DataFrame with duplicate rows removed."""`'

PLAYFUL_DOCSTRING = (
    '`"""Spot the twins, keep one of each, and hand back a DataFrame without déjà vu."""`'
)


def parameters() -> list[Reply]:
    return [
        Reply(content=COLUMN_NAME, reasoning=""),  # -m openai/gpt-4o
        Reply(  # -t 1.2 --seed 7
            content=PROJECT_NAMES,
            reasoning="Playful, about customers leaving, short. Puns on churn and on leaving; "
            "mix pop-culture references with plain fun words.",
        ),
        Reply(content="Churn Risk Forecasting", reasoning="One plain, descriptive name."),  # top-p
        Reply(  # --max-tokens 400 and the penalties
            content=MISSING_VALUES,
            reasoning="Four options, one line each: drop, fill, forward/back fill, interpolate. "
            "Give the pandas call for each.",
        ),
        Reply(  # -p reasoning_effort=low -p stop
            content=GROUPBY_SUM, reasoning="Short question: it returns a Series indexed by region."
        ),
        Reply(  # --json
            content=ORDER_JSON,
            reasoning="Quantity 3, unit price 7.99 (euros), the product is the cable with its "
            "length. Keys as requested.",
        ),
        Reply(  # --no-stream
            content=MEDIAN,
            reasoning="One sentence: skewed data and outliers, with typical examples.",
        ),
        Reply(content=DOCSTRING, reasoning=""),  # %config model = openai/gpt-4o
        Reply(  # -m bytedance/seed-1-8 -t 0.9
            content=PLAYFUL_DOCSTRING,
            reasoning="Same docstring in a playful tone; still one line, still accurate: "
            "duplicates are removed and a DataFrame is returned.",
        ),
    ]


# -- 03-conversations --------------------------------------------------------------------------

REVENUE_PER_REGION = """\
Group by region and sum the revenue:

```python
totals = sales.groupby("region")["revenue"].sum()
```

`totals` is a Series indexed by region. Add `.reset_index()` if you want a DataFrame with the \
columns region and revenue."""

SORTED_TOTALS = """\
Sort the totals by value, in descending order:

```python
totals = (
    sales.groupby("region")["revenue"]
    .sum()
    .sort_values(ascending=False)
)
```"""

REVIEW_SYSTEM = "You are a meticulous code reviewer. Answer with at most three bullet points."

REVIEW_FUNCTION = """\
- `group.value` hard-codes a column called `value` (and clashes with DataFrame attributes if it \
is ever renamed); take the column name as a parameter and write `group[value_col]`.
- The loop rebuilds what pandas does in one vectorised call: `df.groupby(col)[value_col].mean()`.
- A dict loses the index and the dtype; return the Series, and call `.to_dict()` only where a \
dict is really needed."""

ONE_LINE = """\
```python
def mean_by_group(df, col, value_col="value"):
    return df.groupby(col)[value_col].mean().to_dict()
```

- Same result as the loop, computed by pandas in one pass.
- Drop `.to_dict()` to keep the Series and its index."""

REVIEW_LINE = """\
- `df.price > 0` is False for missing prices, so those rows are dropped here already; make sure \
that is intended.
- `.dropna()` without `subset=` drops rows with a gap in *any* column, which can remove far more \
rows than expected.
- Reassigning `df` hides the original; keep it (`clean = ...`) until you have checked how many \
rows were lost."""

SHORTCUT = """\
**Shift + Enter** runs the cell and selects the next one. **Ctrl + Enter** (⌘ + Enter on macOS) \
runs it and stays on it, and **Alt + Enter** runs it and inserts a new cell below."""

ONE_SNIPPET = """\
In what you sent me I can see only one snippet: `groupby` + `sum` + `sort_values`. If there was \
another one earlier in our conversation, it is not in what I received, so paste both and I will \
compare them. In general the `groupby` aggregation dominates the time; sorting the few resulting \
groups costs next to nothing."""

CHART_CHOICE = """\
A line chart with month on the x-axis, revenue on the y-axis and one line per region: four lines \
over 24 points stay readable and show trends and seasonality at a glance."""

F_STRING = """\
It prints the text `{summary} has` followed by the number of rows, for example \
`{summary} has 120 rows`: doubled braces in an f-string stand for literal braces, while \
`{stats['rows']}` is replaced by its value."""

CHART_CODE = """\
```python
import matplotlib.pyplot as plt

monthly = sales.pivot_table(index="month", columns="region", values="revenue", aggfunc="sum")

ax = monthly.plot(figsize=(10, 5), marker="o")
ax.set_xlabel("Month")
ax.set_ylabel("Revenue")
ax.set_title("Revenue per month by region")
ax.legend(title="Region")
plt.tight_layout()
plt.show()
```"""

REVIEW_CHART = """\
- `pivot_table` sorts the months: make sure `month` is a date or a period, not a name such as \
"Jan", or the lines will run in alphabetical order.
- Months without sales become gaps in the lines; add `fill_value=0` if a missing month really \
means zero revenue.
- Put the currency in the y-axis label, for example `Revenue (EUR)`."""


def conversations() -> list[Reply]:
    return [
        Reply(  # total revenue per region
            content=REVENUE_PER_REGION,
            reasoning="Group by region and sum revenue; say what type the result is.",
        ),
        Reply(  # sorted, please
            content=SORTED_TOTALS,
            reasoning="Continue from the previous snippet: add sort_values(ascending=False).",
        ),
        Reply(  # -c review -s ...
            content=REVIEW_FUNCTION,
            reasoning="At most three bullets. Issues: hard-coded 'value' attribute, a loop "
            "instead of a vectorised groupby mean, a dict as the return type.",
        ),
        Reply(  # -c review: one line
            content=ONE_LINE,
            reasoning="One line, keep the signature, add the value_col parameter from the review.",
        ),
        Reply(  # -c review --new
            content=REVIEW_LINE,
            reasoning="New topic, one line of filtering: comparisons with NaN, dropna over all "
            "columns, reassigning df.",
        ),
        Reply(content=SHORTCUT, reasoning="JupyterLab's run shortcuts."),  # --no-history
        Reply(  # the context budget
            content=ONE_SNIPPET,
            reasoning="I only see a single code snippet in the context. Say that the other one "
            "is missing instead of guessing.",
        ),
        Reply(  # -c plots with {variables}
            content=CHART_CHOICE,
            reasoning="Time series, four groups, 24 points: a line per region.",
        ),
        Reply(  # -c code with braces
            content=F_STRING,
            reasoning="Doubled braces in an f-string print literal braces; stats['rows'] is "
            "len(df).",
        ),
        Reply(  # -c plots -o chart_code
            content=CHART_CODE,
            reasoning="Pivot to month x region; DataFrame.plot then draws one line per region.",
        ),
        Reply(  # -c review of {chart_code}
            content=REVIEW_CHART,
            reasoning="Check the pivot, the order of the months, missing months and the labels.",
        ),
    ]


# -- 04-reasoning-usage-and-cost ---------------------------------------------------------------

SCREENING = """\
About **8.8 %**, which surprises most people.

Out of 10,000 people, 100 have the disease and 9,900 do not:

| | test positive | test negative |
|---|---|---|
| disease (100) | 95 | 5 |
| no disease (9,900) | 990 | 8,910 |

Of the 95 + 990 = 1,085 positive tests, only 95 come from people with the disease: \
95 / 1,085 ≈ 0.088. Because the disease is rare, the false positives from the large healthy \
group outnumber the true positives more than ten to one."""

SCREENING_REASONING = """\
This is Bayes' theorem. Prior P(D) = 0.01. Sensitivity P(+|D) = 0.95. Specificity is 0.90, so \
the false-positive rate P(+|not D) = 0.10.

P(+) = 0.95 × 0.01 + 0.10 × 0.99 = 0.0095 + 0.099 = 0.1085.

P(D|+) = 0.0095 / 0.1085 ≈ 0.0876.

Check with natural frequencies: of 10,000 people, 100 are sick and 95 of them test positive; \
9,900 are healthy and 990 of them test positive. 95 / 1,085 = 0.0876. Consistent. The answer is \
about 8.8 %, the base-rate effect; a small table will make it intuitive."""

SECOND_TEST = """\
About **48 %**. The first positive result raised the probability to 8.8 %, and a second \
independent positive updates it again: 0.95 × 0.088 / (0.95 × 0.088 + 0.10 × 0.912) ≈ 0.48. \
In natural frequencies: of the 1,085 people with a first positive test, about 90 of the 95 sick \
ones and 99 of the 990 healthy ones test positive again, and 90 / 189 ≈ 0.48. Even two \
positives leave it close to a coin flip; a third would bring it to about 90 %."""

SECOND_TEST_REASONING = """\
Use the previous posterior as the new prior: 0.0876. P(+) = 0.95 × 0.0876 + 0.10 × 0.9124 = \
0.0832 + 0.0912 = 0.1744. P(D|++) = 0.0832 / 0.1744 ≈ 0.477. Natural frequencies: \
95 × 0.95 = 90.25 sick, 990 × 0.10 = 99 healthy, 90.25 / 189.25 ≈ 0.477. A third positive gives \
0.95 × 0.477 / (0.95 × 0.477 + 0.1 × 0.523) ≈ 0.90; worth mentioning to show the trend."""

BIAS_VARIANCE_REASONING = """\
The user wants the bias-variance trade-off explained with an example. Plan: define bias (error \
from assumptions that are too simple, underfitting) and variance (error from sensitivity to the \
particular training sample, overfitting), show that the expected test error is bias squared plus \
variance plus noise, then use polynomial regression of increasing degree as the example."""

BIAS_VARIANCE = """\
The **bias-variance trade-off** describes two ways a model can be wrong. *Bias* is error from \
assumptions that are too simple: a straight line fitted to curved data misses the pattern \
however much data you give it. *Variance* is error from a model that is so flexible that it \
follows the noise of its particular training sample."""

READABLE_PANDAS = """\
1. **Chain methods** instead of a temporary variable per step: \
`orders.query("status == 'paid'").groupby("customer_id").size()`, one step per line inside \
parentheses.
2. **Name things after what they hold**: `orders_per_customer`, not `df2` or `temp`.
3. **Prefer vectorised operations** to `apply` with a lambda: \
`orders["total"] = orders.price * orders.quantity` says what it does and runs much faster."""

NAMING = """\
Names are the documentation that never goes out of date. A notebook that goes `df`, `df2`, \
`df_new`, `temp` makes every reader (you, in three months) re-run it in their head to know what \
each variable holds. Compare

```python
df2 = df[df.status == "paid"].groupby("customer_id").size()
```

with

```python
paid_orders = orders[orders.status == "paid"]
orders_per_customer = paid_orders.groupby("customer_id").size()
```

The second version is one line longer and needs no comment. A good name says *what* the rows are \
(`orders`, `customers`), at which *grain* (`_per_customer`, `_daily`) and, for numbers, in which \
*unit* (`revenue_eur`, `duration_s`)."""


P_VALUE_SENTENCE = """\
A p-value is the probability of seeing data at least as extreme as yours if the null hypothesis \
were true; a small one says the data would be surprising under it."""


def reasoning_usage_and_cost() -> list[Reply]:
    return [
        Reply(content=SCREENING, reasoning=SCREENING_REASONING),  # deepseek-r1
        Reply(content=SECOND_TEST, reasoning=SECOND_TEST_REASONING),  # --reasoning hide
        # --max-tokens 40: the simulator spends the budget on the reasoning, like a real model
        Reply(reasoning=BIAS_VARIANCE_REASONING),
        # -m openai/gpt-4o --max-tokens 60: the answer stops at 60 tokens (240 characters)
        Reply(content=BIAS_VARIANCE[:240].rstrip(), reasoning="", finish_reason="length"),
        Reply(  # -c cost, first question
            content=READABLE_PANDAS,
            reasoning="Three tips: method chaining, naming, vectorisation instead of apply.",
        ),
        Reply(  # -c cost, second question
            content=NAMING,
            reasoning="The second tip is naming. Show a before and after, then a naming scheme: "
            "entity, grain, unit.",
        ),
        Reply(content=P_VALUE_SENTENCE, reasoning=""),  # -m openai/gpt-4-turbo (deprecated)
    ]


# -- 05-errors-and-configuration ---------------------------------------------------------------

PANDAS_TIP = """\
Replace row-wise `apply` with arithmetic on whole columns: \
`df["total"] = df["price"] * df["quantity"]` runs in compiled code and is often a hundred times \
faster than `df.apply(lambda row: row.price * row.quantity, axis=1)`."""

ASSUMPTIONS = """\
Linear regression rests on a handful of assumptions:

1. **Linearity**: the expected outcome is a linear function of the predictors.
2. **Independence**: the errors of different observations are independent.
3. **Homoscedasticity**: the errors have the same variance at every level of the predictors.
4. **Normality**: the errors are normally distributed (this matters for inference on small \
samples, not for the estimates themselves).
5. **No perfect multicollinearity**: no predictor is an exact linear combination of others."""


def errors_and_configuration() -> list[Reply]:
    return [
        Reply.error(401),  # wrong key
        Reply.error(403),  # out of credits
        # (--top-p 0, the invalid -p field and the unknown model never reach a reply)
        Reply.error(429, headers={"Retry-After": "1"}),  # rate limited once ...
        Reply(content=PANDAS_TIP, reasoning="One tip: vectorise instead of apply."),  # ... then ok
        Reply.error(503, times=3, headers={"retry-after-ms": "300"}),  # gives up after 2 retries
        Reply(  # the stream breaks after 20 events
            content=ASSUMPTIONS,
            reasoning="",
            fault=Fault.disconnect(after_chunks=20),
        ),
        Reply(content="positive", reasoning=""),  # AimlClient.chat, three reviews
        Reply(content="negative", reasoning=""),
        Reply(content="neutral", reasoning=""),
        Reply(content="1, 2, 3, 4, 5", reasoning="", chunk_size=3),  # AimlClient.stream
        Reply.error(429),  # AimlClient(max_retries=0)
    ]


# -- 06-tools-and-images -----------------------------------------------------------------------

PORTFOLIO = """\
Yes. Your portfolio closed at **$7,037.00** on 2026-11-25, against **$6,856.50** on \
2026-11-18: **$180.50 more**, a gain of about **2.6 %** in a week."""

NO_TSLA = """\
I could not get that price: the price lookup has no closing price for **TSLA** on 2026-11-25 \
(it only knows AAPL, MSFT and NVDA). If TSLA should be covered, add it to the data behind \
`lookup_price`."""

NVDA_PRICE = "One NVDA share closed at **$131.60** on 2026-11-25."

CHART_TREND = """\
Visitors grew steadily from about 1,200 in January to about 1,900 in June, roughly 58 % in \
half a year. The only interruption is a small dip in April, after which growth picks up again."""

APRIL_DIP = """\
Yes, April: visitors fell slightly, from about 1,500 in March to about 1,480, before rising \
again in May. With a drop this small it is more likely noise than a real change."""

URL_PLOT = """\
The example is a single smooth curve (a sine-like line over time) drawn without markers, \
while your chart connects six monthly values with markers on a categorical month axis. Yours \
shows a trend in counts; the example shows a continuous function."""

JULY = """\
Around **2,000 visitors**. The first chart grew by about 140 visitors a month on average, \
and by 180 from May to June, so July near 2,000 continues the trend; treat it as a rough \
extrapolation from six points, not a forecast."""


def call(id: str, name: str, **arguments: object) -> dict:
    return {"id": id, "name": name, "arguments": arguments}


def tools_and_images() -> list[Reply]:
    return [
        Reply(  # --tools: two parallel calls, then the answer
            tool_calls=[
                call("call_1", "portfolio_value", day="2026-11-25"),
                call("call_2", "portfolio_value", day="2026-11-18"),
            ],
            reasoning="",
        ),
        Reply(content=PORTFOLIO, reasoning=""),
        Reply(  # a tool that raises
            tool_calls=[call("call_3", "lookup_price", ticker="TSLA", day="2026-11-25")],
            reasoning="",
        ),
        Reply(content=NO_TSLA, reasoning=""),
        Reply(  # --tool-choice lookup_price --no-parallel-tool-calls
            tool_calls=[call("call_4", "lookup_price", ticker="NVDA", day="2026-11-25")],
            reasoning="",
        ),
        Reply(content=NVDA_PRICE, reasoning=""),
        Reply(  # max_tool_rounds = 1: a first round ...
            tool_calls=[
                call("call_5", "lookup_price", ticker=ticker, day="2026-11-18")
                for ticker in ("AAPL", "MSFT", "NVDA")
            ],
            reasoning="",
        ),
        Reply(  # ... and a second one, which is not run
            tool_calls=[
                call("call_6", "lookup_price", ticker=ticker, day="2026-11-25")
                for ticker in ("AAPL", "MSFT", "NVDA")
            ],
            reasoning="",
        ),
        Reply(content=CHART_TREND, reasoning=""),  # --image fig
        Reply(content=APRIL_DIP, reasoning=""),  # --image visitors.png --image-detail low
        Reply(content=URL_PLOT, reasoning=""),  # --image https://...
        Reply(content=JULY, reasoning=""),  # the images go along as context
    ]


# -- 15-mcp-tools ------------------------------------------------------------------------------

CONVERTED = """\
**250 EUR** is **270.00 USD** and **40,500 JPY** at today's rates."""

NO_CHF = """\
I could not convert Swiss francs: the rates server only knows **EUR, USD, GBP and JPY**, and \
it answered that CHF is an unknown currency."""

CHEAPEST = """\
The **Japanese yen**: one euro buys 162 yen, so a single yen is worth the least of the four \
currencies listed (about 0.006 EUR)."""


def mcp_tools() -> list[Reply]:
    return [
        Reply(  # --mcp rates: two parallel calls to rates__convert
            tool_calls=[
                call("call_1", "rates__convert", amount=250, source="EUR", target="USD"),
                call("call_2", "rates__convert", amount=250, source="EUR", target="JPY"),
            ],
            reasoning="",
        ),
        Reply(content=CONVERTED, reasoning=""),
        Reply(  # a tool error goes back to the model
            tool_calls=[call("call_3", "rates__convert", amount=100, source="CHF", target="EUR")],
            reasoning="",
        ),
        Reply(content=NO_CHF, reasoning=""),
        Reply(content=CHEAPEST, reasoning=""),  # --mcp-resource rates://today
    ]


# -- 07-structured-output ------------------------------------------------------------------------

CONTACTS = {
    "items": [
        {
            "name": "Mara Lindqvist",
            "company": "Nordlys Energy",
            "role": "head of data",
            "email": "mara.lindqvist@nordlys.example",
            "interest": "high",
        },
        {
            "name": "Tomás Ruiz",
            "company": "Nordlys Energy",
            "role": "procurement lead",
            "email": None,
            "interest": None,
        },
        {
            "name": "Priya Natarajan",
            "company": "Kestrel Labs",
            "role": "CTO",
            "email": None,
            "interest": "low",
        },
    ]
}
NORDLYS = {"name": "Nordlys Energy", "founded": 2011, "city": "Tromsø"}


def structured_output() -> list[Reply]:
    contacts = json.dumps(CONTACTS, ensure_ascii=False)
    return [
        Reply(content=contacts, reasoning="", chunk_size=24),  # --schema list[Contact]
        Reply(  # --schema Company: a head count in words ...
            content=json.dumps({**NORDLYS, "employees": "about forty"}, ensure_ascii=False),
            reasoning="",
        ),
        Reply(  # ... and the repaired answer
            content=json.dumps({**NORDLYS, "employees": 40}, ensure_ascii=False), reasoning=""
        ),
        Reply(  # schema_retries = 0: the error at once
            content=json.dumps(
                {
                    "name": "Kestrel Labs",
                    "founded": 2019,
                    "employees": "a dozen or so",
                    "city": "Ghent",
                }
            ),
            reasoning="",
        ),
        Reply(content='{"value": "negative"}', reasoning=""),  # qwen: the json_object fallback
        Reply(content=contacts, reasoning=""),  # AimlClient.chat(schema=list[Contact])
    ]


# -- 08-compare-models ------------------------------------------------------------------------

COMPARED = {
    "openai/gpt-4o": """\
A model's error on new data has two sources you can trade against each other. **Bias** is \
the error from assumptions that are too simple: a straight line through a curved relationship \
misses it however much data you add. **Variance** is the error from fitting the training \
sample too closely: a deep tree changes a lot when you resample the data. Adding flexibility \
lowers bias and raises variance, so you pick the complexity that minimises validation error.""",
    "anthropic/claude-sonnet-4.5": """\
**Bias** is how far a model's average prediction is from the truth because the model is too \
simple; **variance** is how much its predictions move when it is trained on a different \
sample. Simple models (linear regression) have high bias and low variance; flexible ones \
(deep trees, high-degree polynomials) the opposite. Expected test error is bias² + variance + \
irreducible noise, so reducing one usually increases the other. Cross-validation finds the \
balance; regularisation and more data move it.""",
    "bytedance/seed-1-8": """\
Underfitting and overfitting are the two ends of one dial. A high-bias model is too rigid to \
capture the pattern, so it is wrong in the same way on every sample; a high-variance model \
follows the noise of its training sample, so it is wrong in a different way on each one. More \
complexity trades bias for variance. Choose it by validation error, not training error.""",
}

CV_EXAMPLE = """\
```python
from sklearn.model_selection import cross_val_score
from sklearn.tree import DecisionTreeRegressor

for depth in (1, 3, 5, 10, None):
    scores = cross_val_score(DecisionTreeRegressor(max_depth=depth), X, y, cv=5)
    print(depth, round(scores.mean(), 3))
```

Shallow trees underfit (high bias), unlimited depth overfits (high variance): the best \
cross-validated depth sits in between."""


def compare_models() -> list[Reply | tuple[str, Reply]]:
    usage = {  # prompt, completion, reasoning tokens, credits, seconds between chunks
        "openai/gpt-4o": (18, 92, 0, 1_940, 0.0),
        "anthropic/claude-sonnet-4.5": (18, 104, 0, 3_310, 0.03),
        "bytedance/seed-1-8": (18, 131, 46, 690, 0.06),
    }
    first = []
    for model, (prompt, completion, reasoning, credits, delay) in usage.items():
        reply = Reply(
            content=COMPARED[model],
            reasoning="Bias vs variance, four sentences, keep it practical." if reasoning else "",
            usage={
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "completion_tokens_details": {"reasoning_tokens": reasoning},
            },
            credits=credits,
            chunk_size=20,
            delay=delay,
        )
        first.append((model, reply))
    return [
        *first,  # --compare of three models
        Reply(content=CV_EXAMPLE, reasoning=""),  # the next cell continues the chosen answer
        ("openai/gpt-4o", Reply(content=COMPARED["openai/gpt-4o"], reasoning="")),  # --keep
        # (openai/gpt-4oo is refused before any reply is taken)
    ]


# -- 09-replay-and-budget ----------------------------------------------------------------------

WELCH = """\
Use **Welch's t-test** (`scipy.stats.ttest_ind(a, b, equal_var=False)`): it compares the means \
of two independent groups without assuming that both have the same variance, and it loses \
almost nothing when they do."""

WELCH_FRESH = """\
**Welch's t-test**. It is Student's two-sample t-test without the equal-variance assumption, \
so it is the safer default: `scipy.stats.ttest_ind(a, b, equal_var=False)`. With strongly \
skewed data or small samples, consider the Mann-Whitney U test instead."""

EFFECT_SIZE = """\
Report **Cohen's d** next to the p-value: the difference in means divided by the pooled \
standard deviation. Around 0.2 is small, 0.5 medium and 0.8 large."""


def replay_and_budget() -> list[Reply]:
    return [
        Reply(content=WELCH, reasoning="Two independent groups, unequal variances: Welch."),
        # (the same request again is answered from the recording: no reply)
        Reply(  # --fresh asks the service again and replaces the recording
            content=WELCH_FRESH,
            reasoning="Same question, asked again: Welch, plus a non-parametric alternative.",
        ),
        # (-t 0.2 in `only` mode and the --dry-run send nothing)
        Reply(content=EFFECT_SIZE, reasoning="Effect size for a t-test: Cohen's d."),
        # (the two requests over budget are refused before anything is sent)
    ]


# -- 10-batch-over-data ------------------------------------------------------------------------

# Rows are sent concurrently, so each reply names the review it answers (`match`).
BATCH_LABELS = {
    "Arrived in two days": ("positive", "delivery"),
    "The battery died": ("negative", "support"),
    "Does what it says": ("neutral", "value"),
    "Beautiful design": ("negative", "software"),
    "Cheap plastic": ("negative", "quality"),
    "Setup took five minutes": ("positive", "value"),
}
BATCH_SUMMARIES = {
    "Arrived in two days": "Fast delivery, works perfectly",
    "The battery died": "Dead battery, silent support",
    "Does what it says": "Does the job, nothing more",
    "Beautiful design": "Pretty, but the app crashes",
    "Cheap plastic": "Cheap build, button fell off",
    "Setup took five minutes": "Easy setup, great sound",
}


def batch_over_data() -> list[Reply]:
    labels = [
        Reply(
            content=json.dumps({"sentiment": sentiment, "topic": topic}),
            reasoning="",
            match=start,
        )
        for start, (sentiment, topic) in BATCH_LABELS.items()
    ]
    # (running the cell again sends nothing: every row has its answer)
    summaries = [
        Reply(content=text, reasoning="", match=f"five words: {start}")
        for start, text in BATCH_SUMMARIES.items()
    ]
    return labels + summaries


# -- 11-notebook-context -----------------------------------------------------------------------

MISSING_PRICE = """\
Only **price** has a missing value (1 of 6 rows, in Paris). With so few rows, fill it from the
same city rather than the whole column:

```python
sales["price"] = sales["price"].fillna(sales.groupby("city")["price"].transform("median"))
```

If a missing price means "not sold", drop the row instead of inventing a price."""

MISSING_CITY = """\
`.loc["Marseille"]` looks up a row label that is not in the result: the mean price is grouped
by the cities in `sales` (Lyon, Nice, Paris), so `KeyError: 'Marseille'`. Check first, or use
`.get`, which returns `None` for a missing label:

```python
means = sales.groupby("city")["price"].mean()
means.get("Marseille")
```"""

NEXT_STEP = """\
Revenue per unit is far higher in **Nice** (9.67) than in Paris (2.50) and Lyon (1.94): Nice
sells few, expensive units. Next:

1. Fill the missing Paris price first: Paris revenue is understated now.
2. Compare units by city: Lyon sells the most units at the lowest price.
3. With more rows, plot price against units per city to see whether price drives volume."""


def notebook_context() -> list[Reply]:
    return [
        Reply(content=MISSING_PRICE, reasoning="The description shows price with 1 null."),
        Reply(content=MISSING_CITY, reasoning="KeyError on a label absent from the index."),
        Reply(content=NEXT_STEP, reasoning="The three cells built revenue per unit by city."),
        # (the dry run sends nothing)
    ]


# -- 14-evaluate-models ------------------------------------------------------------------------

# Rows go out concurrently, so every reply names the text it answers (`match`). Terse prompts
# are queued first: a plain prompt (the bare question) is part of the terse one. The batch
# engine sends identical requests once, so a judge prompt that recurs (same question and
# answer in both repeats) is one request: the `times` below count distinct judge prompts.
EVAL_BIG, EVAL_SMALL = "openai/gpt-4o", "qwen/qwen3-32b"
EVAL_JUDGE = "anthropic/claude-sonnet-4.5"
EVAL_TERSE = "nothing else. "
EVAL_ANSWERS = {  # question start: (big plain, big terse, small plain, small terse per repeat)
    "What is the capital": (
        "The capital of Australia is Canberra.",
        "Canberra",
        "Sydney is the capital of Australia.",
        ("Sydney", "Canberra"),
    ),
    "How many legs": ("A spider has 8 legs.", "8", "Spiders have 8 legs.", ("8", "8")),
    "What is 15%": ("15% of 80 is 12.", "12", "15% of 80 is 12.", ("12", "12")),
    "Which planet": (
        "Mercury is the closest planet to the Sun.",
        "Mercury",
        "Mercury.",
        ("Mercury", "Mercury"),
    ),
}


def _eval(model: str, content: str, match: str, times: int) -> tuple[str, Reply]:
    return (model, Reply(content=content, reasoning="", match=match, times=times))


def evaluate_models() -> list[Reply | tuple[str, Reply]]:
    terse, plain = [], []
    for start, (big, big_terse, small, small_terse) in EVAL_ANSWERS.items():
        asked = EVAL_TERSE + start
        terse.append(_eval(EVAL_BIG, big_terse, asked, 2))
        if small_terse[0] == small_terse[1]:
            terse.append(_eval(EVAL_SMALL, small_terse[0], asked, 2))
        else:
            terse += [_eval(EVAL_SMALL, answer, asked, 1) for answer in small_terse]
        plain += [_eval(EVAL_BIG, big, start, 2), _eval(EVAL_SMALL, small, start, 2)]
    judge = [
        # the rubric: Sydney is wrong, everything else right
        _eval(EVAL_JUDGE, "Sydney is not the capital.\nScore: 1", "[Answer]\n```\nSydney", 2),
        _eval(EVAL_JUDGE, "Correct.\nScore: 5", "[Answer]\n```\n", 10),
        # pairwise: the better answer wins, and when both are right the judge says A
        _eval(EVAL_JUDGE, "B is right.\nVerdict: B", "[Answer A]\n```\nSydney", 2),
        _eval(EVAL_JUDGE, "A is right.\nVerdict: A", "[Answer B]\n```\nSydney", 2),
        _eval(EVAL_JUDGE, "Both are right; A reads well.\nVerdict: A", "[Answer A]", 9),
    ]
    return terse + plain + judge


# -- 12-images-speech-embeddings ---------------------------------------------------------------

# Images, speech, video and embeddings are answered by the simulator itself; only the vision
# question about the generated image is a chat request.
LIGHTHOUSE = "A small synthetic test image: a square of flat colour, no lighthouse in sight."


def images_speech_embeddings() -> list[Reply]:
    return [Reply(content=LIGHTHOUSE, reasoning="")]


# -- 13-semantic-dataframes ---------------------------------------------------------------------

# The simulator answers df.aiml's questions by rule from the row text (simulator/semantic.py):
# a reply without content lets the rule answer. Every operator prompt closes a `<row>` or
# `<right>` tag, hence the match; the count is every request the notebook sends. Only the
# extract cell is scripted (its instructions come right before the row), so its fields read
# well.
SEMANTIC_RULE_REQUESTS = 77
EXTRACTED = {
    "The parcel came two weeks late and the box was crushed": ("parcel", True),
    "Lovely coffee, rich and smooth": ("coffee", False),
    "I want a refund, the grinder broke on day one": ("grinder", True),
    "Delivery was late again, third time this year": ("delivery", True),
}


def semantic_dataframes() -> list[Reply]:
    extracted = [
        Reply(
            content=json.dumps({"product": product, "urgent": urgent}),
            match=f"</instructions>\n\n<row>\nreview: {text}\n</row>",
        )
        for text, (product, urgent) in EXTRACTED.items()
    ]
    return [*extracted, Reply(match="</r", times=SEMANTIC_RULE_REQUESTS)]


REPLIES: dict[str, Callable[[], list[Reply | tuple[str, Reply]]]] = {
    "01-quickstart": quickstart,
    "02-parameters-and-widgets": parameters,
    "03-conversations": conversations,
    "04-reasoning-usage-and-cost": reasoning_usage_and_cost,
    "05-errors-and-configuration": errors_and_configuration,
    "06-tools-and-images": tools_and_images,
    "07-structured-output": structured_output,
    "08-compare-models": compare_models,
    "09-replay-and-budget": replay_and_budget,
    "10-batch-over-data": batch_over_data,
    "11-notebook-context": notebook_context,
    "13-semantic-dataframes": semantic_dataframes,
    "14-evaluate-models": evaluate_models,
    "12-images-speech-embeddings": images_speech_embeddings,
    "15-mcp-tools": mcp_tools,
}
