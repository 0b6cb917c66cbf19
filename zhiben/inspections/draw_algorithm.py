"""The 双随机 draw algorithm `zhiben-draw-1`: a pure function of the frozen inputs and the seed.

Nothing here reads the database, the clock or Python's `random` module: the same inputs and seed give the
same assignments on any machine and any Python version, which is what lets anyone replay a published draw
(`zhiben draw replay <id>`). docs/draw-algorithm.md specifies every step exactly enough to reimplement it.

    inputs = DrawInputs(entities=(…), officers=(…), excluded_pairs=(…), weights={…}, count=10, …)
    inputs.pool_digest()                 # SM3 of the canonical frozen inputs (the commitment)
    seed_digest(seed)                    # SM3 of the secret seed (the commitment)
    assignments = draw(inputs, seed)     # [(entity, (lead officer, associate, …)), …] in draw order
    result_digest(inputs, seed, assignments)
"""

from __future__ import annotations

import itertools
import json
import re
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes

ALGORITHM = "zhiben-draw-1"
MIN_OFFICERS_PER_CHECK = 2  # at least two law-enforcement officers per check (双随机 practice, domain.md §4)
# Officer slots are filled by up to this many uniform picks from the whole officer pool; when none of them is
# eligible the slot is filled from the explicit list of eligible officers (see docs/draw-algorithm.md §5).
REJECTION_TRIES = 32


def algorithm_label(code: str) -> str:
    """How a page names an algorithm version: 'zhiben-draw-1' → '第1版' (the code stays in data and exports)."""
    prefix, _, number = code.rpartition("-")
    return f"第{number}版" if prefix == "zhiben-draw" and number.isdigit() else code


SEED_PATTERN = re.compile(r"^[0-9a-f]{64}$")
_TWO_64 = 1 << 64
_WORDS = struct.Struct(">4Q")

Assignment = tuple[int, tuple[int, ...]]


class DrawInputError(ValueError):
    """The frozen inputs are malformed (not a matter of chance: the same inputs always fail)."""


class DrawInfeasible(Exception):
    """No officer assignment satisfies 回避 for a drawn unit: the draw fails rather than break the rule."""

    def __init__(self, position: int, entity: int, needed: int, found: int) -> None:
        self.position, self.entity, self.needed, self.found = position, entity, needed, found
        super().__init__(
            f"position {position}: unit {entity} needs {needed} officers without a conflict, found {found}"
        )


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with keys sorted by code point and no whitespace: the bytes the digests cover."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sm3_hex(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def seed_digest(seed: str) -> str:
    """The seed commitment: SM3 of the seed's 64 lowercase hex characters (as ASCII)."""
    return sm3_hex(seed.encode("ascii"))


@dataclass(frozen=True)
class DrawInputs:
    """Everything a draw depends on besides the seed, frozen before the seed is committed."""

    entities: tuple[int, ...]  # 检查对象名录: unit ids, ascending, distinct
    officers: tuple[int, ...]  # 执法人员名录: officer ids, ascending, distinct
    excluded_pairs: tuple[tuple[int, int], ...] = ()  # 回避 (officer, unit), ascending, distinct
    weights: tuple[int, ...] = ()  # one weight ≥ 1 per unit, in pool order; () when unweighted
    count: int = 0
    officers_per_check: int = MIN_OFFICERS_PER_CHECK
    max_per_officer: int | None = None

    @property
    def weighted(self) -> bool:
        return bool(self.weights)

    @classmethod
    def build(
        cls,
        *,
        entities: Iterable[int],
        officers: Iterable[int],
        excluded_pairs: Iterable[Sequence[int]] = (),
        weights: Mapping[int, int] | None = None,
        count: int,
        officers_per_check: int = MIN_OFFICERS_PER_CHECK,
        max_per_officer: int | None = None,
    ) -> DrawInputs:
        """Normalise (sort, de-duplicate, keep only pairs inside the pools; `weights` maps unit → weight, absent
        = 1, None = unweighted) and validate."""
        ents = tuple(sorted({int(e) for e in entities}))
        offs = tuple(sorted({int(o) for o in officers}))
        ent_set, off_set = set(ents), set(offs)
        pairs = tuple(sorted({(int(o), int(e)) for o, e in excluded_pairs if o in off_set and e in ent_set}))
        w = tuple(int(weights.get(e, 1)) for e in ents) if weights is not None else ()
        inputs = cls(ents, offs, pairs, w, int(count), int(officers_per_check), max_per_officer)
        inputs.validate()
        return inputs

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> DrawInputs:
        """The inputs as stored (`document()`), checked to be in canonical form."""
        params = doc.get("parameters") or {}
        cap = params.get("max_per_officer")
        inputs = cls(
            entities=tuple(int(e) for e in doc.get("entities", ())),
            officers=tuple(int(o) for o in doc.get("officers", ())),
            excluded_pairs=tuple((int(p[0]), int(p[1])) for p in doc.get("excluded_pairs", ())),
            weights=tuple(int(w) for w in doc.get("weights") or ()),
            count=int(params.get("count", 0)),
            officers_per_check=int(params.get("officers_per_check", MIN_OFFICERS_PER_CHECK)),
            max_per_officer=None if cap is None else int(cap),
        )
        inputs.validate()
        return inputs

    def validate(self) -> None:
        if not _strictly_ascending(self.entities):
            raise DrawInputError("entities must be ascending and distinct")
        if not _strictly_ascending(self.officers):
            raise DrawInputError("officers must be ascending and distinct")
        if not _strictly_ascending(self.excluded_pairs):
            raise DrawInputError("excluded_pairs must be ascending and distinct")
        if self.count < 0 or self.count > len(self.entities):
            raise DrawInputError("count must be between 0 and the number of units in the pool")
        if self.officers_per_check < MIN_OFFICERS_PER_CHECK:
            raise DrawInputError(f"officers_per_check must be at least {MIN_OFFICERS_PER_CHECK}")
        if self.max_per_officer is not None and self.max_per_officer < 1:
            raise DrawInputError("max_per_officer must be at least 1")
        if self.weights and (len(self.weights) != len(self.entities) or min(self.weights) < 1):
            raise DrawInputError("weights must be one integer ≥ 1 per unit of the pool")

    def parameters(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "officers_per_check": self.officers_per_check,
            "max_per_officer": self.max_per_officer,
        }

    def document(self) -> dict[str, Any]:
        """The canonical frozen inputs (JSON-ready); `pool_digest` is SM3 of their canonical JSON."""
        return {
            "algorithm": ALGORITHM,
            "entities": list(self.entities),
            "officers": list(self.officers),
            "excluded_pairs": [[o, e] for o, e in self.excluded_pairs],
            "weights": list(self.weights),
            "parameters": self.parameters(),
        }

    def pool_digest(self) -> str:
        return sm3_hex(canonical_json(self.document()))


def _strictly_ascending(values: Sequence[Any]) -> bool:
    return all(a < b for a, b in itertools.pairwise(values))


class Drbg:
    """SM3 in counter mode: block n = SM3(K ‖ n as 8 bytes big-endian), K = the seed's 32 bytes.

    Each block gives four 64-bit big-endian words, consumed in order.
    """

    def __init__(self, seed: str) -> None:
        if not SEED_PATTERN.match(seed or ""):
            raise DrawInputError("the seed must be 64 lowercase hexadecimal characters")
        self._key = bytes.fromhex(seed)
        self._counter = 0
        self._words: list[int] = []
        self.words_used = 0

    def _refill(self) -> None:
        h = hashes.Hash(hashes.SM3())
        h.update(self._key + self._counter.to_bytes(8, "big"))
        self._counter += 1
        # Reversed so that pop() yields the words in stream order.
        self._words = list(reversed(_WORDS.unpack(h.finalize())))

    def word(self) -> int:
        if not self._words:
            self._refill()
        self.words_used += 1
        return self._words.pop()

    def below(self, n: int) -> int:
        """A uniform integer in [0, n) by rejection (no modulo bias); always consumes at least one word."""
        if n < 1:
            raise DrawInputError("below() needs n ≥ 1")
        limit = _TWO_64 - (_TWO_64 % n)
        while True:
            # self.word(), inlined: this is the innermost loop of a draw.
            if not self._words:
                self._refill()
            self.words_used += 1
            x = self._words.pop()
            if x < limit:
                return x % n


def _select_entities(inputs: DrawInputs, rng: Drbg) -> list[int]:
    """Sequential sampling without replacement, each pick proportional to weight among the remaining units.

    Pick: W = total remaining weight, r = below(W); the unit chosen is the first remaining one (in pool order)
    whose running weight sum exceeds r. A Fenwick tree makes each pick O(log n).
    """
    units = inputs.entities
    n = len(units)
    weights = inputs.weights or (1,) * n
    tree = [0, *weights]
    for i in range(1, n + 1):  # linear-time Fenwick build
        j = i + (i & -i)
        if j <= n:
            tree[j] += tree[i]
    total = sum(weights)
    top = 1 << (n.bit_length() - 1) if n else 0
    chosen: list[int] = []
    for _ in range(inputs.count):
        r = rng.below(total)
        # Largest position whose prefix sum ≤ r; the chosen unit is the next one.
        pos, step, rest = 0, top, r
        while step:
            nxt = pos + step
            if nxt <= n and tree[nxt] <= rest:
                pos = nxt
                rest -= tree[nxt]
            step >>= 1
        index = pos + 1
        weight = weights[index - 1]
        chosen.append(units[index - 1])
        total -= weight
        i = index
        while i <= n:
            tree[i] -= weight
            i += i & -i
    return chosen


def _assign_officers(inputs: DrawInputs, rng: Drbg, units: list[int]) -> list[Assignment]:
    """For each drawn unit in draw order, `officers_per_check` distinct officers free of 回避 and under the cap."""
    officers = inputs.officers
    n_off = len(officers)
    excluded = {(o << 32) | e for o, e in inputs.excluded_pairs}
    cap = inputs.max_per_officer
    load: dict[int, int] = {}
    out: list[Assignment] = []
    m = inputs.officers_per_check
    for position, unit in enumerate(units, start=1):
        team: list[int] = []
        for _slot in range(m):
            picked = None
            for _try in range(REJECTION_TRIES if n_off else 0):
                o = officers[rng.below(n_off)]
                if (
                    ((o << 32) | unit) not in excluded
                    and o not in team
                    and (cap is None or load.get(o, 0) < cap)
                ):
                    picked = o
                    break
            if picked is None:
                eligible = [
                    o
                    for o in officers
                    if ((o << 32) | unit) not in excluded
                    and o not in team
                    and (cap is None or load.get(o, 0) < cap)
                ]
                if not eligible:
                    raise DrawInfeasible(position, unit, m, len(team))
                picked = eligible[rng.below(len(eligible))]
            team.append(picked)
            load[picked] = load.get(picked, 0) + 1
        out.append((unit, tuple(team)))
    return out


def draw(inputs: DrawInputs, seed: str) -> list[Assignment]:
    """The assignments of a draw: units in draw order, each with its officers (the first is the lead)."""
    inputs.validate()
    rng = Drbg(seed)
    units = _select_entities(inputs, rng)
    return _assign_officers(inputs, rng, units)


def result_document(pool_digest: str, seed: str, assignments: Iterable[Assignment]) -> dict[str, Any]:
    return {
        "algorithm": ALGORITHM,
        "pool_digest": pool_digest,
        "seed": seed,
        "assignments": [[unit, list(team)] for unit, team in assignments],
    }


def result_digest(pool_digest: str, seed: str, assignments: Iterable[Assignment]) -> str:
    """SM3 of the canonical result: binds the assignments to the committed pools and the revealed seed."""
    return sm3_hex(canonical_json(result_document(pool_digest, seed, assignments)))
