"""The keypad collector: rate limits on stream and wall-clock time, floods, type-ahead and
multi-digit entry — pure, so each rule is checked key by key."""

from __future__ import annotations

from ivr.call.keys import INTER_DIGIT_MS, MAX_TYPEAHEAD, Admission, KeyCollector, KeyLimits


def admit_many(keys: KeyCollector, n: int, stream_ms: int, wall_ms: int) -> list[Admission]:
    return [keys.admit(stream_ms, wall_ms) for _ in range(n)]


def test_keys_within_the_rate_are_accepted() -> None:
    keys = KeyCollector()
    # A person keying ten digits a second, on both clocks.
    verdicts = [keys.admit(t, t) for t in range(0, 5000, 100)]
    assert set(verdicts) == {Admission.ACCEPT}


def test_keys_without_audio_are_limited_on_stream_time() -> None:
    # No media: stream time stands still, however slowly the keys arrive.
    keys = KeyCollector()
    verdicts = [keys.admit(0, wall) for wall in range(0, 20_000, 100)]
    assert verdicts[:12] == [Admission.ACCEPT] * 12
    assert verdicts[12] is Admission.DROP


def test_keys_with_fast_audio_are_limited_on_wall_clock_time() -> None:
    # Stream time races ahead (a socket pushing audio faster than real time), so only
    # the wall clock sees that 60 keys arrive within one real second.
    keys = KeyCollector()
    verdicts = [keys.admit(i * 1000, i * 10) for i in range(60)]
    assert verdicts[:50] == [Admission.ACCEPT] * 50
    assert verdicts[50:] == [Admission.DROP] * 10


def test_keys_burst_beyond_the_rate_is_dropped_then_the_rate_recovers() -> None:
    keys = KeyCollector()
    burst = admit_many(keys, 20, stream_ms=1000, wall_ms=1000)
    assert burst.count(Admission.ACCEPT) == 12 and burst.count(Admission.DROP) == 8
    assert keys.dropping
    # A second later a key is welcome again, and the drop count starts over.
    assert keys.admit(2001, 2001) is Admission.ACCEPT
    assert not keys.dropping


def test_keys_sustained_flood_is_reported_once_the_drops_add_up() -> None:
    limits = KeyLimits()
    keys = KeyCollector(limits)
    verdicts = admit_many(keys, 12 + limits.flood_after, stream_ms=0, wall_ms=0)
    assert verdicts[-1] is Admission.FLOOD
    assert Admission.FLOOD not in verdicts[:-1]


def test_keys_sixteen_thousand_without_audio_keep_the_state_bounded() -> None:
    # The reported attack: 16,000 keys and no audio. The old session kept (and copied, per
    # key) a list of every key within the last second of stream time — all of them, as
    # stream time stood still. Here the windows hold at most their limits.
    limits = KeyLimits(flood_after=10**9)  # keep reading, to see the state stay bounded
    keys = KeyCollector(limits)
    verdicts = admit_many(keys, 16_000, stream_ms=0, wall_ms=0)
    assert verdicts.count(Admission.ACCEPT) == limits.per_stream_second
    windows = (keys._stream._times, keys._wall._times)  # the bound is the point
    assert [len(w) for w in windows] == [limits.per_stream_second, limits.per_stream_second]
    assert [w.maxlen for w in windows] == [limits.per_stream_second, limits.per_wall_second]


def test_keys_one_key_menu_submits_each_key() -> None:
    keys = KeyCollector()
    keys.listen(None)
    assert keys.press("1", 0) == "1"
    assert keys.press("#", 0) == "#"


def test_keys_number_ends_at_its_maximum_length() -> None:
    keys = KeyCollector()
    keys.listen((4, 4))
    assert [keys.press(k, 0) for k in "246"] == [None, None, None]
    assert keys.collecting
    assert keys.press("8", 0) == "2468"
    assert not keys.collecting


def test_keys_number_ends_with_hash_and_a_lone_hash_is_ignored() -> None:
    keys = KeyCollector()
    keys.listen((4, 12))
    assert keys.press("#", 0) is None
    for k in "000055555555"[:6]:
        keys.press(k, 0)
    assert keys.press("#", 0) == "000055"


def test_keys_hash_after_a_full_length_number_is_its_terminator_not_new_input() -> None:
    keys = KeyCollector()
    keys.listen((4, 4))
    assert [keys.press(k, 1000) for k in "2468"] == [None, None, None, "2468"]
    keys.listen(None)  # the dialog has moved on to the next menu
    assert keys.late_terminator("#", 1200)  # "… then press pound": swallowed
    assert not keys.late_terminator("#", 1300)  # only the one that ended the number


def test_keys_only_a_hash_right_after_the_full_number_is_swallowed() -> None:
    keys = KeyCollector()
    keys.listen((4, 4))
    for k in "2468":
        keys.press(k, 0)
    assert not keys.late_terminator("1", 100)  # the caller's next choice is a real key
    assert not keys.late_terminator("#", 200)
    for k in "2468":
        keys.press(k, 0)
    assert not keys.late_terminator("#", INTER_DIGIT_MS + 1)  # long after: new input


def test_keys_hash_that_submitted_a_number_leaves_nothing_to_swallow() -> None:
    keys = KeyCollector()
    keys.listen((4, 12))
    for k in "123456":
        keys.press(k, 0)
    assert keys.press("#", 0) == "123456"
    assert not keys.late_terminator("#", 100)


def test_keys_number_ends_after_the_inter_digit_time() -> None:
    keys = KeyCollector()
    keys.listen((4, 12))
    keys.press("1", 1000)
    keys.press("2", 1500)
    assert keys.due(1500 + INTER_DIGIT_MS - 20) is None
    assert keys.due(1500 + INTER_DIGIT_MS) == "12"
    assert keys.due(1500 + INTER_DIGIT_MS + 20) is None


def test_keys_stop_forgets_a_partial_number() -> None:
    keys = KeyCollector()
    keys.listen((4, 4))
    keys.press("2", 0)
    keys.stop()
    assert not keys.collecting
    assert keys.due(10**6) is None
    assert keys.press("5", 0) == "5"  # after stop, a key is a one-key answer again


def test_keys_typeahead_is_kept_in_order_and_bounded() -> None:
    keys = KeyCollector()
    for i in range(MAX_TYPEAHEAD + 5):
        keys.hold(str(i % 10))
    held = keys.take_typeahead()
    assert len(held) == MAX_TYPEAHEAD
    assert held[:3] == ["0", "1", "2"]
    assert keys.take_typeahead() == []
