from examapp.domain.ip_ranges import allowed, parse_ranges


def test_ranges_are_read_from_what_an_admin_types():
    good, bad = parse_ranges("10.12.0.0/16， 192.168.1.7\nfd00::/8  10.12.3.4/16 not-an-ip")
    assert good == ["10.12.0.0/16", "192.168.1.7/32", "fd00::/8"]
    assert bad == ["not-an-ip"]


def test_an_address_must_lie_in_a_range_when_ranges_are_set():
    ranges = ["10.12.0.0/16", "fd00::/8"]
    assert allowed("10.12.200.1", ranges) and allowed("fd00::1", ranges)
    assert not allowed("10.13.0.1", ranges) and not allowed("", ranges) and not allowed("garbage", ranges)
    assert allowed("8.8.8.8", [])
