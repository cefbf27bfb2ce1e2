"""An exam may be limited to the bureau's networks: a list of CIDR ranges (IPv4 or IPv6)."""
import ipaddress


def parse_ranges(text: str) -> tuple[list[str], list[str]]:
    """(normalised ranges, the entries that are not a valid address or range). Accepts commas,
    Chinese commas, spaces and new lines between entries; a bare address is a /32 (or /128)."""
    good, bad = [], []
    for entry in text.replace("，", ",").replace("\n", ",").replace(" ", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        try:
            good.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            bad.append(entry)
    return list(dict.fromkeys(good)), bad


def allowed(ip: str, ranges: list[str]) -> bool:
    """True when no range is set, or the address lies in one of them. An unreadable address is refused."""
    if not ranges:
        return True
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(r, strict=False) for r in ranges
               if ipaddress.ip_network(r, strict=False).version == address.version)


__all__ = ["allowed", "parse_ranges"]
