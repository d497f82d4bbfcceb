"""In-text citations: numeric clusters collapsed by citekit (citeproc-py does not collapse)."""

from __future__ import annotations

from collections.abc import Sequence


def collapse_numbers(numbers: Sequence[int], *, delimiter: str = ",", range_delimiter: str = "\u2013",
                     min_run: int = 3) -> str:
    """``[1, 2, 3, 5]`` → ``1–3,5``; runs shorter than ``min_run`` stay listed.

    GB/T 7714 joins even two consecutive numbers (``[255-256]``, 10.1.2), so its styles use
    ``min_run=2``; CSL's own rule is three.
    """
    nums = sorted(set(numbers))
    out: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        if j - i + 1 >= max(min_run, 2):
            out.append(f"{nums[i]}{range_delimiter}{nums[j]}")
        else:
            out.extend(str(n) for n in nums[i:j + 1])
        i = j + 1
    return delimiter.join(out)
