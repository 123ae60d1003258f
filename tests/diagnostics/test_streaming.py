"""Reading a CSV file record by record, and cutting it for parallel COPY."""

import pytest

from diagnostics.importers import streaming

HEADER = b"siren,nic,siret,nom\n"


def write(tmp_path, body: bytes):
    path = tmp_path / "stock.csv"
    path.write_bytes(HEADER + body)
    return path


def read(path, start=None, end=None, first_line=2, **kwargs):
    start = len(HEADER) if start is None else start
    end = path.stat().st_size if end is None else end
    return [
        (line, record)
        for batch in streaming.records(
            path, start, end, first_line=first_line, **kwargs
        )
        for line, record in batch.numbered()
    ]


def test_records_are_numbered_by_their_line(tmp_path):
    path = write(tmp_path, b"1,2,3,a\n4,5,6,b\n")

    assert read(path) == [(2, b"1,2,3,a"), (3, b"4,5,6,b")]


def test_a_quoted_newline_keeps_the_record_whole(tmp_path):
    path = write(tmp_path, b'1,2,3,"ligne\nsuite"\n4,5,6,"x ""y"""\n7,8,9,z\n')

    assert read(path) == [
        (2, b'1,2,3,"ligne\nsuite"'),
        (4, b'4,5,6,"x ""y"""'),
        (5, b"7,8,9,z"),
    ]


def test_blank_lines_at_the_very_end_are_not_records(tmp_path):
    path = write(tmp_path, b"1,2,3,a\r\n4,5,6,b\r\n\r\n\n")

    assert read(path) == [(2, b"1,2,3,a\r"), (3, b"4,5,6,b\r")]


def test_records_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_SIZE", 7)
    path = write(tmp_path, b'1,2,3,a\n4,5,6,"b\nc"\n7,8,9,d\n')

    assert read(path) == [(2, b"1,2,3,a"), (3, b'4,5,6,"b\nc"'), (5, b"7,8,9,d")]


def test_quoted_positions_are_those_of_records_with_quotes(tmp_path):
    path = write(tmp_path, b'1,2,3,a\n4,5,6,"b"\n7,8,9,c\n1,1,1,"d"\n')

    [batch] = streaming.records(path, len(HEADER), path.stat().st_size, first_line=2)

    assert batch.quoted == {1, 3}


@pytest.mark.parametrize("parts", [2, 3, 5])
def test_split_points_cut_whole_records_and_count_lines(tmp_path, parts):
    body = b"".join(
        b'%d,1,2,"long\nvalue"\n' % n if n % 3 == 0 else b"%d,1,2,x\n" % n
        for n in range(60)
    )
    path = write(tmp_path, body)
    size = path.stat().st_size

    cuts = streaming.split_points(path, len(HEADER), size, parts)

    assert cuts[0] == (len(HEADER), 0)
    assert cuts[-1] == (size, None)
    assert len(cuts) == parts + 1
    records = []
    for (start, lines), (end, _) in zip(cuts, cuts[1:], strict=False):
        assert path.read_bytes()[start - 1 : start] == b"\n"
        # The line count before each cut numbers the records after it.
        records += read(path, start, end, first_line=2 + lines, last=end == size)
    assert records == read(path)


def test_split_points_of_a_tiny_file_make_fewer_parts(tmp_path):
    path = write(tmp_path, b"1,2,3,a\n")
    size = path.stat().st_size

    assert streaming.split_points(path, len(HEADER), size, 4) == [
        (len(HEADER), 0),
        (size, None),
    ]


def test_both_passes_hash_a_record_the_same_way(tmp_path):
    path = write(tmp_path, b'1,2,12345678900011,a\n4,5,98765432100015,"b,c"\n')
    [batch] = streaming.records(path, len(HEADER), path.stat().st_size, first_line=2)
    key = bytes(range(32))
    keys = streaming.key_formatter(key=key, index=2, columns=4)(batch, streaming.Sent())
    rows = streaming.row_formatter(key=key, wanted=None)(batch, streaming.Sent())
    digest = streaming.record_hasher(key)

    def joined(crc, adler):
        # What streaming.hash_sql computes in PostgreSQL.
        return (int(crc) << 32 | int(adler)) - (1 << 63)

    expected = [digest(record) for record in batch.records]
    assert [joined(*row.split(b",")[2:4]) for row in keys.splitlines()] == expected
    assert [joined(*row.split(b",")[1:3]) for row in rows.splitlines()] == expected
    assert keys.splitlines()[1].split(b",")[1] == b"98765432100015"
    # Another key (another commune table): other hashes.
    assert streaming.record_hasher(bytes(32))(batch.records[0]) != expected[0]


def test_row_formatter_sends_only_the_wanted_lines(tmp_path):
    path = write(tmp_path, b"".join(b"%d,1,2,x\n" % n for n in range(20)))
    wanted = bytearray(4)
    for line in (3, 17):
        wanted[line >> 3] |= 1 << (line & 7)
    sent = streaming.Sent()
    format = streaming.row_formatter(key=bytes(32), wanted=bytes(wanted))

    data = b"".join(
        format(batch, sent)
        for batch in streaming.records(
            path, len(HEADER), path.stat().st_size, first_line=2
        )
    )

    assert [sent.line(n) for n in (1, 2)] == [3, 17]
    assert [row.split(b",")[3] for row in data.splitlines()] == [b"1", b"15"]


def test_sent_lines_map_a_copy_record_number_to_its_line():
    sent = streaming.Sent()
    sent.add(range(2, 5002))
    sent.add([5003, 5007])
    sent.add(range(5008, 5010))

    assert len(sent) == 5004
    assert [sent.line(n) for n in (1, 5000, 5001, 5002, 5003, 5004)] == [
        2,
        5001,
        5003,
        5007,
        5008,
        5009,
    ]
